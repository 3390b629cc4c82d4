from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class SchedulerConfig(AppConfig):
    name = "coop.scheduler"
    label = "scheduler"
    verbose_name = "Scheduled work"

    def ready(self) -> None:
        # Apps register periodic jobs in their tasks.py; import them all so every process
        # (web, worker, commands) sees the same registry.
        autodiscover_modules("tasks")
