"""On PostgreSQL the database itself refuses two confirmed bookings of one listing that share a
night: an exclusion constraint over daterange(check_in, check_out) (needs btree_gist for the `=`
on listing_id). Raw SQL on purpose: the constraint is vendor-specific and the model state stays
the same on every database, so SQLite migrates (and the service check covers it there)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE stays_booking ADD CONSTRAINT stays_booking_no_overlap "
    "EXCLUDE USING gist (listing_id WITH =, daterange(check_in, check_out, '[)') WITH &&) "
    "WHERE (status = 'confirmed')",
]
DROP = ["ALTER TABLE stays_booking DROP CONSTRAINT IF EXISTS stays_booking_no_overlap"]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("stays", "0001_initial")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP), elidable=False)]
