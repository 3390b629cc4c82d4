from __future__ import annotations

from django.apps import AppConfig


class TimebankConfig(AppConfig):
    name = "timebank"
    verbose_name = "Timebank"

    def ready(self) -> None:
        # Registers the chore rota in the open algorithms register.
        from timebank import rota  # noqa: F401, PLC0415
