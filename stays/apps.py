from __future__ import annotations

from django.apps import AppConfig


class StaysConfig(AppConfig):
    name = "stays"
    verbose_name = "Stays"
