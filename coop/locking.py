"""The one way to lock scarce things (an item's hours, a home's nights, a ride's seats, a balance).

The discipline, after pretix's quota locking:

1. Lock every row whose availability the transaction reduces, in one call, once per transaction.
2. Lock as late as possible (after validating the input) but before checking availability, and
   check against the fresh rows this returns, never against the copies you had before.
3. Every caller locks in the same order, (model label, pk), so two transactions that need the
   same rows queue up instead of deadlocking.
4. Waiting is short: after `timeout` seconds the caller gets `ResourceBusy` (409, "try again")
   instead of a request that hangs while someone else's booking finishes.

    with transaction.atomic():
        item, borrower = lock_for_update(item, borrower)
        check_available(item, ...)   # against the locked, fresh rows
        write_reservation(...)

On PostgreSQL this is `SELECT ... FOR UPDATE` under a `lock_timeout`. SQLite has no row locks:
our SQLite connections open every transaction with BEGIN IMMEDIATE (`transaction_mode` in
coop/env.py), so a transaction already holds the whole database's write lock from its first
statement and nobody can change the rows between our read and our write. There the helper only
re-reads the rows, and waiting is bounded by SQLite's busy `timeout`, not by `timeout` here.
"""

from __future__ import annotations

import math
from typing import Any, TypeVar, cast

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.db.models import Model
from django.db.transaction import TransactionManagementError

from coop.exceptions import NotFound, ResourceBusy

__all__ = ["lock_for_update"]

_M = TypeVar("_M", bound=Model)

# SQLSTATE lock_not_available: raised by PostgreSQL when lock_timeout expires (or NOWAIT fails).
_LOCK_NOT_AVAILABLE = "55P03"


def lock_for_update(*objects: _M, timeout: float = 3.0, using: str | None = None) -> list[_M]:
    """Lock the rows of `objects` until the transaction ends; return them freshly read.

    The result has one fresh instance per argument, in the order given, so
    `item, home = lock_for_update(item, home)` always unpacks; an object passed twice is locked
    once and both positions get the same instance. Raises `ResourceBusy` when a lock cannot be
    had within `timeout` seconds (the transaction is then aborted: let the error propagate),
    and `NotFound` when a row no longer exists.
    """
    alias = using or DEFAULT_DB_ALIAS
    connection = connections[alias]
    _check_can_lock(alias, timeout)
    keys, groups = _group(objects)
    if not keys:
        return []

    is_postgres = connection.vendor == "postgresql"
    if is_postgres:
        _set_lock_timeout(alias, f"{max(1, math.ceil(timeout * 1000))}ms")
    try:
        fresh = _select_for_update(alias, groups)
    except OperationalError as error:
        # The transaction is aborted now; there is nothing to restore.
        if _is_lock_timeout(error):
            raise ResourceBusy() from error
        raise
    if is_postgres:
        # Later statements in the transaction wait for locks as they normally would.
        _set_lock_timeout(alias, None)

    for label, (model, pks) in groups.items():
        missing = [pk for pk in pks if (label, pk) not in fresh]
        if missing:
            name = str(model._meta.verbose_name).capitalize()
            raise NotFound(f"{name} {missing[0]} no longer exists.")
    result: dict[tuple[type[Model], Any], Model] = {}
    for obj, key in zip(objects, keys, strict=True):
        if (type(obj), obj.pk) not in result:
            result[(type(obj), obj.pk)] = _as_class(fresh[key], type(obj), alias)
    return cast("list[_M]", [result[(type(obj), obj.pk)] for obj in objects])


def _check_can_lock(alias: str, timeout: float) -> None:
    connection = connections[alias]
    if not connection.in_atomic_block:
        # In autocommit mode the lock would be released as soon as the SELECT returns.
        raise TransactionManagementError(
            "lock_for_update() must run inside transaction.atomic(): a row lock lasts only as "
            "long as the transaction that took it."
        )
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise TypeError("timeout is a number of seconds.")
    # lock_timeout = 0 would mean "wait forever" on PostgreSQL.
    if not math.isfinite(timeout) or timeout <= 0:
        raise ValueError("timeout must be a positive number of seconds.")
    if connection.vendor == "sqlite" and _sqlite_mode(alias) not in {"IMMEDIATE", "EXCLUSIVE"}:
        # Without it, a DEFERRED transaction reads without any lock and two callers both pass
        # the availability check: refuse loudly instead of silently not locking.
        raise ImproperlyConfigured(
            "lock_for_update() on SQLite needs OPTIONS['transaction_mode'] = 'IMMEDIATE' "
            "(coop.env.database_from_url sets it)."
        )


_Key = tuple[str, Any]
_Groups = dict[str, tuple[type[Model], list[Any]]]


def _group(objects: tuple[Model, ...]) -> tuple[list[_Key], _Groups]:
    """(label, pk) of every argument, and the distinct pks to lock per table.

    Proxies count as their concrete model, so every caller orders a table's rows the same way
    whichever class it holds them as.
    """
    keys: list[_Key] = []
    groups: _Groups = {}
    for obj in objects:
        if not isinstance(obj, Model):
            raise TypeError(f"lock_for_update() locks model instances, not {type(obj).__name__}.")
        if obj.pk is None:
            raise ValueError(f"Cannot lock an unsaved {type(obj).__name__}.")
        model = type(obj)._meta.concrete_model or type(obj)
        label = model._meta.label
        keys.append((label, obj.pk))
        _, pks = groups.setdefault(label, (model, []))
        if obj.pk not in pks:
            pks.append(obj.pk)
    return keys, groups


def _as_class(row: Model, cls: type[Model], alias: str) -> Model:
    """The locked row as an instance of the caller's class (a proxy of the row's model)."""
    if type(row) is cls:
        return row
    names = [field.attname for field in cls._meta.concrete_fields]
    return cls.from_db(alias, names, [getattr(row, name) for name in names])


def _select_for_update(alias: str, groups: _Groups) -> dict[_Key, Model]:
    """Lock the rows model by model in label order; within a model, one statement sorted by pk
    (PostgreSQL locks rows as the sorted result is produced, so in pk order)."""
    fresh: dict[_Key, Model] = {}
    for label in sorted(groups):
        model, pks = groups[label]
        rows = (
            model._base_manager.db_manager(alias)
            .select_for_update()
            .filter(pk__in=pks)
            .order_by("pk")
        )
        for row in rows:
            fresh[(label, row.pk)] = row
    return fresh


def _sqlite_mode(alias: str) -> str:
    return str(connections[alias].settings_dict.get("OPTIONS", {}).get("transaction_mode", ""))


def _set_lock_timeout(alias: str, value: str | None) -> None:
    """SET LOCAL lock_timeout: scoped to the transaction, so a rollback undoes it too.

    `None` goes back to the connection's default (server, role or connection options) rather
    than to a value read beforehand: that saves a round trip on every lock, and nothing in the
    project sets lock_timeout for a whole session.
    """
    with connections[alias].cursor() as cursor:
        if value is None:
            cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
        else:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [value])


def _is_lock_timeout(error: BaseException) -> bool:
    """Whether Django's OperationalError wraps PostgreSQL's lock_not_available (55P03).

    psycopg 3 exposes the SQLSTATE as `.sqlstate`, psycopg2 as `.pgcode`; other operational
    errors (a lost connection, a deadlock, a statement timeout) are not a busy resource.
    """
    cause = error.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return code == _LOCK_NOT_AVAILABLE
