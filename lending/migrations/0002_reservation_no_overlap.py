"""On PostgreSQL, the database itself refuses two holding reservations of one item whose
[starts_at, blocked_until) windows overlap (blocked_until includes the buffer).

Vendor-conditional, so the model state does not carry the constraint and SQLite (which has no
exclusion constraints) runs the same migrations; there the service's lock and check are the
guard. btree_gist lets the GiST index compare item ids with `=`.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

CONSTRAINT = "lending_reservation_no_overlap"
HOLDING = ("requested", "approved", "picked_up")


def add_constraint(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    statuses = ", ".join(f"'{status}'" for status in HOLDING)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE lending_reservation ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(item_id WITH =, tstzrange(starts_at, blocked_until, '[)') WITH &&) "
        f"WHERE (status IN ({statuses}))"
    )


def remove_constraint(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE lending_reservation DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("lending", "0001_initial")]

    operations = [migrations.RunPython(add_constraint, remove_constraint, elidable=False)]
