"""Real threads against PostgreSQL: the ledger's invariants hold under contention."""

from __future__ import annotations

import random
import threading
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum

from coop.exceptions import DomainError
from coop.members.models import User
from coop.members.tests.factories import MemberFactory
from timebank import services
from timebank.models import ExchangeStatus, Movement, Post, TimeAccount, Transfer
from timebank.tests.conftest import run_exchange

THREADS = 8
TRANSFERS_PER_THREAD = 40


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_hundreds_of_parallel_transfers_never_break_the_limits_nor_the_zero_sum() -> None:
    members = [MemberFactory.create() for _ in range(4)]
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        local: Counter[str] = Counter()
        try:
            for _ in range(TRANSFERS_PER_THREAD):
                payer, payee = rng.sample(members, 2)
                try:
                    services.transfer_create(
                        payer=payer, to_member_id=payee.pk, minutes=rng.randint(1, 400)
                    )
                except DomainError as error:
                    local[error.code] += 1
                else:
                    local["ok"] += 1
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()
            with lock:
                outcomes.update(local)

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(outcomes.values()) == THREADS * TRANSFERS_PER_THREAD
    assert outcomes["ok"] > 0
    assert outcomes["balance_limit"] > 0  # the limits were really tested
    assert set(outcomes) <= {"ok", "balance_limit", "resource_busy"}
    # No transfer lost or applied twice: every success is one transfer with two movements.
    assert Transfer.objects.count() == outcomes["ok"]
    assert Movement.objects.count() == 2 * outcomes["ok"]
    accounts = list(TimeAccount.objects.all())
    assert sum(account.balance_minutes for account in accounts) == 0
    for account in accounts:
        assert -600 <= account.balance_minutes <= 2400
        moved = Movement.objects.filter(account=account).aggregate(total=Sum("amount_minutes"))
        assert account.balance_minutes == (moved["total"] or 0)
    call_command("timebank_check")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_exchange_confirmed_from_many_threads_at_once_pays_exactly_once() -> None:
    alice, bob = MemberFactory.create(), MemberFactory.create()
    post = services.post_create(author=alice, kind="offer", title="Sewing", category="care")
    exchange = run_exchange(post, bob, 60, until="completed")
    results: list[str] = []

    def worker() -> None:
        try:
            services.exchange_confirm(user=User.objects.get(pk=bob.pk), exchange=exchange)
            results.append("ok")
        except DomainError as error:
            results.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results.count("ok") == 1
    assert Transfer.objects.filter(exchange=exchange).count() == 1
    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.CONFIRMED
    assert services.account_for(alice).balance_minutes == 60
    assert Post.objects.count() == 1
