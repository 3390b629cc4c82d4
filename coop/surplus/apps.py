from __future__ import annotations

from django.apps import AppConfig


class SurplusConfig(AppConfig):
    name = "coop.surplus"
    label = "surplus"
    verbose_name = "Surplus distribution"
