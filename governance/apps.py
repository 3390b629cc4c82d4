from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Governance"

    def ready(self) -> None:
        # Every app declares the parameters it reads in its own `parameters.py`.
        autodiscover_modules("parameters")
