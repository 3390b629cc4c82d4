from __future__ import annotations

from django.apps import AppConfig


class SchedulerConfig(AppConfig):
    name = "coop.scheduler"
    label = "scheduler"
    verbose_name = "Scheduled work"
