from __future__ import annotations

app_name = "timebank"
urlpatterns: list = []
