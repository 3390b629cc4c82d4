from __future__ import annotations

import threading
import time
from collections.abc import Callable

import psycopg
import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext, isolate_apps

from coop.exceptions import NotFound, ResourceBusy
from coop.locking import _is_lock_timeout, lock_for_update
from coop.members.models import User


def _selects_from(queries: CaptureQueriesContext, table: str) -> list[str]:
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith("SELECT") and f'FROM "{table}"' in query["sql"]
    ]


def _start_thread(target: Callable[[], None], errors: list[BaseException]) -> threading.Thread:
    """Run `target` in a thread with its own connection, collecting what it raises."""

    def run() -> None:
        try:
            target()
        except BaseException as error:  # reported to the test through `errors`
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _join(thread: threading.Thread) -> None:
    thread.join(timeout=30)
    assert not thread.is_alive(), "a locking thread hung"


def _run_in_threads(*targets: Callable[[], None]) -> list[BaseException]:
    errors: list[BaseException] = []
    for thread in [_start_thread(target, errors) for target in targets]:
        _join(thread)
    return errors


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_lock_outside_a_transaction(alice: User) -> None:
    with pytest.raises(TransactionManagementError, match=r"transaction\.atomic"):
        lock_for_update(alice)


def test_it_returns_fresh_rows_in_the_order_they_were_passed(alice: User, bob: User) -> None:
    User.objects.filter(pk=bob.pk).update(bio="changed by someone else")
    with transaction.atomic():
        locked_bob, locked_alice = lock_for_update(bob, alice)
    assert (locked_bob.pk, locked_alice.pk) == (bob.pk, alice.pk)
    assert locked_bob.bio == "changed by someone else"
    assert bob.bio == ""  # the caller's copy is stale; the locked one is what to check
    assert locked_bob is not bob


def test_it_locks_an_object_passed_twice_once(alice: User, bob: User) -> None:
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        first, other, again = lock_for_update(alice, bob, User.objects.get(pk=alice.pk))
    user_selects = _selects_from(queries, "members_user")
    # One statement for both users (plus the get() above), not one per argument.
    assert len(user_selects) == 2
    assert first is again
    assert other.pk == bob.pk


def test_it_locks_tables_in_label_order_whatever_order_they_are_passed(alice: User) -> None:
    address = EmailAddress.objects.get(user=alice)
    for arguments in ((alice, address), (address, alice)):
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            lock_for_update(*arguments)
        tables = [
            "account_emailaddress" if 'FROM "account_emailaddress"' in sql else "members_user"
            for sql in (query["sql"] for query in queries.captured_queries)
            if sql.startswith("SELECT") and "FROM" in sql
        ]
        # account.EmailAddress sorts before members.User.
        assert tables == ["account_emailaddress", "members_user"]


def test_it_orders_the_rows_of_a_table_by_primary_key(alice: User, bob: User) -> None:
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        lock_for_update(bob, alice)
    (sql,) = _selects_from(queries, "members_user")
    assert 'ORDER BY "members_user"."id" ASC' in sql


def test_it_reports_a_row_that_no_longer_exists(alice: User, bob: User) -> None:
    User.objects.filter(pk=bob.pk).delete()
    with pytest.raises(NotFound, match="no longer exists"), transaction.atomic():
        lock_for_update(alice, bob)


def test_locking_nothing_returns_nothing(db: None) -> None:
    with transaction.atomic():
        assert lock_for_update() == []


def test_it_refuses_what_it_cannot_lock(alice: User) -> None:
    with transaction.atomic():
        with pytest.raises(ValueError, match="unsaved"):
            lock_for_update(User(email="new@example.org"))
        with pytest.raises(TypeError):
            lock_for_update("alice")  # type: ignore[type-var]
        for timeout in (0, -1, float("inf"), float("nan")):
            with pytest.raises(ValueError, match="timeout"):
                lock_for_update(alice, timeout=timeout)


@isolate_apps("coop.members")
def test_a_proxy_is_locked_as_its_table_and_returned_as_the_proxy(alice: User) -> None:
    class Neighbour(User):
        class Meta:
            proxy = True
            app_label = "members"

    neighbour = Neighbour.objects.get(pk=alice.pk)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        as_proxy, as_user = lock_for_update(neighbour, alice)
    assert len(_selects_from(queries, "members_user")) == 1
    assert type(as_proxy) is Neighbour
    assert type(as_user) is User
    assert as_proxy.email == as_user.email == alice.email


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_on_sqlite_it_insists_on_immediate_transactions(
    alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = {**connection.settings_dict["OPTIONS"], "transaction_mode": "DEFERRED"}
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    with pytest.raises(ImproperlyConfigured, match="IMMEDIATE"), transaction.atomic():
        lock_for_update(alice)


def test_only_a_lock_timeout_counts_as_a_busy_resource() -> None:
    def wrapped(cause: BaseException | None) -> OperationalError:
        error = OperationalError("wrapped")
        error.__cause__ = cause
        return error

    assert _is_lock_timeout(wrapped(psycopg.errors.LockNotAvailable("canceling statement")))
    assert not _is_lock_timeout(wrapped(psycopg.errors.DeadlockDetected("deadlock")))
    assert not _is_lock_timeout(wrapped(psycopg.errors.QueryCanceled("statement timeout")))
    assert not _is_lock_timeout(wrapped(psycopg.OperationalError("connection lost")))
    assert not _is_lock_timeout(wrapped(None))


# PostgreSQL: real row locks, real threads.


@pytest.mark.postgres
def test_the_lock_timeout_is_put_back_after_locking(alice: User) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        (before,) = cursor.fetchone()
        lock_for_update(alice, timeout=0.5)
        cursor.execute("SHOW lock_timeout")
        (after,) = cursor.fetchone()
    assert after == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_threads_decrementing_a_locked_counter_never_lose_an_update(alice: User) -> None:
    stock = 15
    User.objects.filter(pk=alice.pk).update(bio=str(stock))
    taken: list[int] = []
    start = threading.Barrier(2)

    def take_ten() -> None:
        start.wait(timeout=10)
        for _ in range(10):
            with transaction.atomic():
                (counter,) = lock_for_update(alice, timeout=5)
                left = int(counter.bio)
                if left == 0:
                    continue
                time.sleep(0.002)  # widen the read-then-write window a race would need
                counter.bio = str(left - 1)
                counter.save(update_fields=["bio"])
                taken.append(1)

    assert _run_in_threads(take_ten, take_ten) == []
    alice.refresh_from_db()
    assert alice.bio == "0"
    assert len(taken) == stock


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_held_lock_makes_another_caller_busy_after_its_timeout(alice: User) -> None:
    locked = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with transaction.atomic():
            lock_for_update(alice)
            locked.set()
            release.wait(timeout=10)

    holder_errors: list[BaseException] = []
    holder = _start_thread(hold, holder_errors)
    try:
        assert locked.wait(timeout=10)
        started = time.monotonic()
        with pytest.raises(ResourceBusy) as caught, transaction.atomic():
            lock_for_update(alice, timeout=0.2)
        waited = time.monotonic() - started
    finally:
        release.set()
        _join(holder)
    assert holder_errors == []
    assert caught.value.code == "resource_busy"
    assert caught.value.status == 409
    assert 0.15 < waited < 2
    # Once the holder is done, the row can be locked again on this same connection.
    with transaction.atomic():
        (fresh,) = lock_for_update(alice, timeout=1)
    assert fresh.pk == alice.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_locking_the_same_rows_in_opposite_orders_does_not_deadlock(alice: User, bob: User) -> None:
    alice_email = EmailAddress.objects.get(user=alice)
    bob_email = EmailAddress.objects.get(user=bob)
    rounds = 10
    together = threading.Barrier(2)

    def lock_repeatedly(*objects: User | EmailAddress) -> Callable[[], None]:
        def run() -> None:
            for _ in range(rounds):
                together.wait(timeout=10)
                with transaction.atomic():
                    lock_for_update(*objects, timeout=10)
                    time.sleep(0.01)  # hold the locks so the other thread has to wait

        return run

    errors = _run_in_threads(
        lock_repeatedly(alice, bob_email, bob, alice_email),
        lock_repeatedly(alice_email, bob, bob_email, alice),
    )
    assert errors == []
