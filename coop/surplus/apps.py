from __future__ import annotations

from django.apps import AppConfig


class SurplusConfig(AppConfig):
    name = "coop.surplus"
    label = "surplus"
    verbose_name = "Surplus distribution"

    def ready(self) -> None:
        # Registers the patronage algorithm in the open algorithms register.
        from coop.surplus import patronage  # noqa: F401, PLC0415
