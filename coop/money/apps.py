from __future__ import annotations

import threading
from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created

# Set only while the test runner empties the test database (coop/money/tests/conftest.py).
_maintenance = threading.Event()


def ledger_maintenance() -> threading.Event:
    """The switch that lets the SQLite triggers allow a DELETE: for flushing test databases."""
    return _maintenance


def _register_sqlite_guard(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        # The append-only triggers ask this before refusing an UPDATE or DELETE.
        connection.connection.create_function(
            "money_ledger_locked", 0, lambda: 0 if _maintenance.is_set() else 1
        )


class MoneyConfig(AppConfig):
    name = "coop.money"
    label = "money"
    verbose_name = "Money"

    def ready(self) -> None:
        connection_created.connect(_register_sqlite_guard, dispatch_uid="money_sqlite_guard")
