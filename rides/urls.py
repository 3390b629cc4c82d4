from __future__ import annotations

app_name = "rides"
urlpatterns: list = []
