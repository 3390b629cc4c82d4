from __future__ import annotations

from django.apps import AppConfig


class TimebankConfig(AppConfig):
    name = "timebank"
    verbose_name = "Timebank"
