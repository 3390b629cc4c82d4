"""Many payments, refunds and roll-ups at once on PostgreSQL: every balance stays the sum of
its entries, every transaction sums to zero, nothing is booked twice."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Sum
from django.test import Client

from coop.members.models import User
from coop.money.ledger import (
    account_balance,
    coop_account,
    ledger_problems,
    ledger_rollup,
    member_account,
)
from coop.money.models import Account, AccountKind, Entry, LedgerTransaction, Payment, StripeEvent
from coop.money.payments import payment_apply_intent, refund_apply
from coop.money.tests.conftest import WEBHOOK_SECRET, EventPoster
from coop.money.tests.factories import intent, payment_for_test, refund

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PAYMENTS = 40
WORKERS = 8


def _in_thread(work: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        try:
            return work()
        finally:
            connections.close_all()

    return run


def test_parallel_payments_and_refunds_keep_every_balance_equal_to_its_entries(
    alice: User, bob: User, charlie: User
) -> None:
    assert connection.vendor == "postgresql"
    payments = [
        payment_for_test(payer=alice if i % 2 else charlie, host=bob, amount_cents=1000 + i)
        for i in range(PAYMENTS)
    ]
    stop = threading.Event()

    def confirm(payment: Payment) -> object:
        # Every payment is confirmed twice at once (a redelivered event) and refunded in part.
        payment_apply_intent(intent=intent(payment), stripe_event_id="evt_x", created=1)
        fresh = Payment.objects.get(pk=payment.pk)
        return refund_apply(payment=fresh, refund_object=refund(fresh, 100, f"re_{payment.pk}"))

    def roll_up_until_stopped() -> object:
        rounds = 0
        while not stop.is_set():
            ledger_rollup()
            rounds += 1
            time.sleep(0.01)
        return rounds

    with ThreadPoolExecutor(max_workers=WORKERS + 1) as pool:
        roller = pool.submit(_in_thread(roll_up_until_stopped))
        jobs = [pool.submit(_in_thread(partial(confirm, p))) for p in payments for _ in (1, 2)]
        for job in jobs:
            job.result(timeout=60)
        stop.set()
        assert isinstance(rounds := roller.result(timeout=60), int)
        assert rounds > 0

    assert LedgerTransaction.objects.count() == 2 * PAYMENTS  # one payment + one refund each
    total = sum(1000 + i for i in range(PAYMENTS))
    assert account_balance(coop_account(AccountKind.CLEARING)).cents == total - 100 * PAYMENTS
    payable = member_account(bob, AccountKind.MEMBER_PAYABLE)
    fee = coop_account(AccountKind.FEE_REVENUE)
    assert account_balance(payable).cents + account_balance(fee).cents == -(total - 100 * PAYMENTS)
    ledger_rollup()
    for account in Account.objects.all():
        entries = Entry.objects.filter(account=account).aggregate(s=Sum("amount_cents"))["s"] or 0
        assert account.balance_cents == entries, account.name
    assert ledger_problems() == []


def test_parallel_webhook_deliveries_book_each_payment_and_refund_exactly_once(
    settings: Any, alice: User, bob: User
) -> None:
    """Stripe delivering the same events several times at once, through the real endpoint."""
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    payments = [payment_for_test(payer=alice, host=bob, amount_cents=2000) for _ in range(20)]
    poster = EventPoster(Client())
    paid = [poster.event("payment_intent.succeeded", intent(p)) for p in payments]
    refunded = [poster.event("refund.created", refund(p, 500, f"re_{p.pk}")) for p in payments]

    def deliver(payload: bytes) -> int:
        return int(EventPoster(Client()).post(payload).status_code)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        codes = list(pool.map(_in_thread_call(deliver), [*paid, *paid, *paid]))
        codes += list(pool.map(_in_thread_call(deliver), [*refunded, *refunded]))
    assert set(codes) == {200}
    assert StripeEvent.objects.count() == 40
    assert LedgerTransaction.objects.count() == 40
    assert account_balance(coop_account(AccountKind.CLEARING)).cents == 20 * 1500
    assert ledger_problems() == []


def _in_thread_call(work: Callable[[bytes], int]) -> Callable[[bytes], int]:
    def run(payload: bytes) -> int:
        try:
            return work(payload)
        finally:
            connections.close_all()

    return run
