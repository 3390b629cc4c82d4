from __future__ import annotations

from django.apps import AppConfig


class CommunityConfig(AppConfig):
    """The community fund: projects members propose, governance approves and the co-op funds."""

    name = "coop.community"
    label = "community"
    verbose_name = "Community fund"
