"""Fast bulk writes for the benchmark datasets: COPY on PostgreSQL, executemany on SQLite.

The generator writes millions of rows, so it bypasses model instances and `save()`: it gives
each table its rows as tuples of the columns it knows, and this module fills every other column
with the field's default (so a field added later with a default needs no change here) and
refuses a table with a required column nobody filled. Primary keys are handed out by the
generator (`next_ids`), so rows can point at each other without reading anything back, and the
sequences are moved past them afterwards (`sequences_reset`). The database still checks every
constraint (CHECK, UNIQUE, foreign keys) on the rows as they arrive.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import Any

from django.core.management.color import no_style
from django.db import connection
from django.db.models import (
    DateField,
    DateTimeField,
    DecimalField,
    Field,
    JSONField,
    Max,
    Model,
    TimeField,
)
from django.db.models.fields import NOT_PROVIDED

_BATCH = 10_000


class MissingColumn(Exception):
    pass


def next_ids(model: type[Model], count: int) -> range:
    """`count` unused primary keys, above every existing one (nobody else writes meanwhile)."""
    highest = model._default_manager.aggregate(highest=Max("pk"))["highest"] or 0
    return range(highest + 1, highest + 1 + count)


def _converter(field: Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a Python value of this field becomes a value the database driver takes, or None
    when the driver takes it as it is (psycopg adapts dates and times itself; sqlite3 does not
    know Django's formats, and neither driver knows JSON)."""
    needs_prep: tuple[type[Field[Any, Any]], ...] = (JSONField,)
    if connection.vendor != "postgresql":
        needs_prep = (JSONField, DateTimeField, DateField, TimeField, DecimalField)
    if isinstance(field, needs_prep):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def _defaults(model: type[Model], columns: Sequence[str]) -> list[tuple[Field[Any, Any], Any]]:
    """The columns not named, each with the value it gets on every row."""
    defaults: list[tuple[Field[Any, Any], Any]] = []
    for field in model._meta.concrete_fields:
        if field.name in columns or field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            raise MissingColumn(f"{model.__name__}.{field.name} needs a value (auto_now).")
        if field.has_default() or (field.empty_strings_allowed and not field.null):
            value = field.get_default()  # the default, or "" for text (as a form would save)
        elif field.null:
            value = None
        elif field.db_default is not NOT_PROVIDED:
            continue  # the database fills it
        else:
            raise MissingColumn(f"{model.__name__}.{field.name} has no default; give it.")
        defaults.append((field, field.get_db_prep_save(value, connection)))
    return defaults


def insert_rows(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write `rows` (tuples in the order of `columns`, field names) into `model`'s table.

    Columns not named get the field's default; a column with no default that is not nullable
    raises MissingColumn before anything is written. Returns the number of rows written.
    """
    fields: list[Field[Any, Any]] = []
    for name in columns:
        found = model._meta.get_field(name)
        if not isinstance(found, Field) or not found.concrete:
            raise MissingColumn(f"{model.__name__}.{name} is not a column.")
        fields.append(found)
    defaults = _defaults(model, columns)
    all_fields = [*fields, *(field for field, _ in defaults)]
    default_values = tuple(value for _, value in defaults)
    converters: list[tuple[int, Callable[[Any], Any]]] = []
    for index, field in enumerate(fields):
        fn = _converter(field)
        if fn is not None:
            converters.append((index, fn))

    def prepared(row: Sequence[Any]) -> tuple[Any, ...]:
        values = list(row)
        for index, fn in converters:
            values[index] = fn(values[index])
        return (*values, *default_values)

    table = connection.ops.quote_name(model._meta.db_table)
    column_sql = ", ".join(connection.ops.quote_name(str(f.column)) for f in all_fields)
    written = 0
    placeholders = ", ".join(["%s"] * len(all_fields))
    sql = f"INSERT INTO {table} ({column_sql}) VALUES ({placeholders})"  # noqa: S608
    iterator = iter(rows)
    # Each batch is drawn before it is written: drawing a row may read the database (a cached
    # parameter expiring), which the connection cannot do in the middle of a COPY.
    while batch := [prepared(row) for row in islice(iterator, _BATCH)]:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({column_sql}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                cursor.executemany(sql, batch)
        written += len(batch)
    return written


def sequences_reset(*models: type[Model]) -> None:
    """Move the id sequences past the ids the generator handed out (PostgreSQL only; SQLite's
    AUTOINCREMENT already follows the largest id inserted)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def analyze() -> None:
    """Fresh planner statistics after a bulk load, so benchmarks measure the plans a running
    site would have."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
