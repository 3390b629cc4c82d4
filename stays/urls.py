from __future__ import annotations

app_name = "stays"
urlpatterns: list = []
