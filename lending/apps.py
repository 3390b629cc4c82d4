from __future__ import annotations

from django.apps import AppConfig


class LendingConfig(AppConfig):
    name = "lending"
    verbose_name = "Lending"

    def ready(self) -> None:
        # Register the published algorithms (search ranking, collective purchase trigger).
        from lending import purchases, selectors  # noqa: F401, PLC0415
