from __future__ import annotations

app_name = "lending"
urlpatterns: list = []
