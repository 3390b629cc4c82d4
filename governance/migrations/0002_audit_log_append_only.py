"""On PostgreSQL the database itself refuses to change or delete an audit log row.

The model refuses too (AuditLogEntry.save/delete), but a trigger also stops raw SQL and
queryset updates. Someone who owns the database can still drop the trigger; the hash chain and
`manage.py audit_verify` are there for that case. SQLite keeps the model-level guard only.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION governance_audit_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'The audit log is append-only: % refused.', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER governance_auditlogentry_append_only
    BEFORE UPDATE OR DELETE ON governance_auditlogentry
    FOR EACH ROW EXECUTE FUNCTION governance_audit_refuse_change();
    """,
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS governance_auditlogentry_append_only ON governance_auditlogentry;",
    "DROP FUNCTION IF EXISTS governance_audit_refuse_change();",
]


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement, params=None)


def backward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
