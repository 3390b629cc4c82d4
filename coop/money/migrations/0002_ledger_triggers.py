"""Make the ledger append-only in the database, and on PostgreSQL enforce zero-sum at COMMIT.

SQLite cannot defer a check to COMMIT, so there the zero-sum rule lives in `ledger_post` only.
SQLite triggers call `money_ledger_locked()`, a function every connection registers
(coop/money/apps.py): it answers 1 except while the test runner flushes the test database. A
connection that did not register it (sqlite3 shell, another tool) gets "no such function" and is
refused too.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

_TABLES = ("money_entry", "money_ledgertransaction")

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION money_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'The ledger is append-only: % on % refused (post a reversing '
            'transaction instead).', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    *[
        f"""
        CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION money_refuse_change();
        """
        for table in _TABLES
    ],
    """
    CREATE OR REPLACE FUNCTION money_check_transaction_balanced() RETURNS trigger AS $$
    DECLARE
        total bigint;
        currencies integer;
        lines integer;
    BEGIN
        SELECT COALESCE(SUM(e.amount_cents), 0), COUNT(DISTINCT e.currency), COUNT(*)
          INTO total, currencies, lines
          FROM money_entry e WHERE e.transaction_id = NEW.transaction_id;
        IF total <> 0 OR currencies <> 1 OR lines < 2 THEN
            RAISE EXCEPTION 'Ledger transaction % is unbalanced: % entries in % currencies '
                'sum to %', NEW.transaction_id, lines, currencies, total
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE CONSTRAINT TRIGGER money_entry_transaction_balanced
    AFTER INSERT ON money_entry DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION money_check_transaction_balanced();
    """,
]

POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS money_entry_transaction_balanced ON money_entry;",
    *[f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in _TABLES],
    "DROP FUNCTION IF EXISTS money_check_transaction_balanced();",
    "DROP FUNCTION IF EXISTS money_refuse_change();",
]

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table}
    WHEN money_ledger_locked()
    BEGIN
        SELECT RAISE(ABORT, 'The ledger is append-only: {op} on {table} refused');
    END;
    """
    for table in _TABLES
    for op in ("UPDATE", "DELETE")
]

SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {table}_no_{op.lower()};"
    for table in _TABLES
    for op in ("UPDATE", "DELETE")
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("money", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
