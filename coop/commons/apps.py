from __future__ import annotations

from django.apps import AppConfig


class CommonsConfig(AppConfig):
    name = "coop.commons"
    label = "commons"
    verbose_name = "City data commons"
