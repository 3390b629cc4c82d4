from __future__ import annotations

from django.apps import AppConfig


class FrontendConfig(AppConfig):
    """Base layout, static assets and the pages that span services (home, dashboard)."""

    name = "frontend"
    verbose_name = "Frontend"
