"""Personas and shared fixtures for every test in the project.

- alice: a member who owns things
- bob: another member
- charlie: a member with no rights to the thing at hand (the one who gets refused)
- board: a member of the board
- applicant: signed up, share not yet paid
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test import Client

from coop.members.models import User
from coop.members.tests.factories import MemberFactory, UserFactory
from coop.money.apps import ledger_maintenance
from governance.selectors import WROTE_PARAMETER_FLAG

PASSWORD = "correct horse battery staple"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    # Transactional tests end with a flush (DELETE FROM on SQLite), which the ledger's
    # append-only triggers would refuse (coop/money/apps.py); open them for exactly that.
    ledger_maintenance().set()
    try:
        yield
    finally:
        ledger_maintenance().clear()


def pytest_runtest_setup(item: pytest.Item) -> None:
    # Row locks, exclusion constraints and real concurrency only exist on PostgreSQL.
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (run with DATABASE_URL=postgres://...)")


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    # Rate limits and other cached state must not leak from one test into the next. On Redis,
    # cache.clear() would flush the whole database, channel-layer groups and other test runs'
    # keys included, so only this run's keys are deleted.
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
        keys = list(client.scan_iter(match=cache.make_key("*")))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _forget_parameter_writes() -> Iterator[None]:
    # governance's parameter_set marks the connection until its transaction commits, which a
    # test's transaction never does: without this, later tests would stop caching parameters.
    yield
    setattr(connection, WROTE_PARAMETER_FLAG, False)


@pytest.fixture
def alice(db: None) -> User:
    return MemberFactory.create(email="alice@example.org", display_name="Alice")


@pytest.fixture
def bob(db: None) -> User:
    return MemberFactory.create(email="bob@example.org", display_name="Bob")


@pytest.fixture
def charlie(db: None) -> User:
    return MemberFactory.create(email="charlie@example.org", display_name="Charlie")


@pytest.fixture
def board(db: None) -> User:
    return MemberFactory.create(email="board@example.org", display_name="Berta", is_board=True)


@pytest.fixture
def applicant(db: None) -> User:
    return UserFactory.create(email="applicant@example.org", display_name="Ada")


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice: User) -> Client:
    return _client_for(alice)


@pytest.fixture
def bob_client(bob: User) -> Client:
    return _client_for(bob)


@pytest.fixture
def charlie_client(charlie: User) -> Client:
    return _client_for(charlie)


@pytest.fixture
def board_client(board: User) -> Client:
    return _client_for(board)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> object:
    """After every test that touched the database, the money ledger must still check out.

    Each flow of the suite (payments, deposits, refunds, stays, lending...) thereby ends with
    every transaction summing to zero and every cached balance equal to its entries. Tests that
    damage the ledger on purpose say so with `@pytest.mark.ledger_tampered`.
    """
    result = yield
    uses_db = bool({"db", "transactional_db"} & set(getattr(item, "fixturenames", ())))
    if uses_db and not item.get_closest_marker("ledger_tampered"):
        from coop.money.ledger import ledger_problems  # noqa: PLC0415 (needs the apps loaded)
        from coop.money.models import Entry  # noqa: PLC0415

        if Entry.objects.exists():
            problems = ledger_problems()
            assert problems == [], f"the ledger does not check out after this test: {problems}"
    return result
