from __future__ import annotations

from django.apps import AppConfig


class StaysConfig(AppConfig):
    name = "stays"
    verbose_name = "Stays"

    def ready(self) -> None:
        # Registers the "stay" payment confirmation hook with coop.money in every process.
        from stays import services  # noqa: F401, PLC0415
