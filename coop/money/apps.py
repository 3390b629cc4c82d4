from __future__ import annotations

from django.apps import AppConfig


class MoneyConfig(AppConfig):
    name = "coop.money"
    label = "money"
    verbose_name = "Money"
