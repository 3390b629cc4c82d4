from __future__ import annotations

from django.apps import AppConfig


class CoopConfig(AppConfig):
    """The project package itself: API root, health check, cross-service commands (demo_seed)."""

    name = "coop"
    verbose_name = "Co-op"
