"""Leaving at the same moment as a payment starts or a posting lands (PostgreSQL, real threads):
the member is either refused (the other write came first) or gone before the other write, which
then finds them gone. Never an anonymised member with something open."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connections, transaction

from coop.members import privacy_registry, services
from coop.members.exceptions import MemberLeft, OpenObligations
from coop.members.models import User
from coop.money import stripe_gateway
from coop.money.amounts import Money
from coop.money.ledger import Cause, account_balance, coop_account, ledger_post, member_account
from coop.money.models import AccountKind, Payment, PaymentPurpose
from coop.money.payments import payment_start
from stays.tests.conftest import FakeStripe

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WAIT = 10  # seconds: the longest any step may take before the test fails instead of hanging
# Long enough for the other thread to reach its lock and queue behind ours.
SETTLE = 0.5


def _in_thread(work: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        try:
            return work()
        except Exception as error:  # the test compares what each side got
            return error
        finally:
            connections.close_all()

    return run


def test_a_payment_starting_while_the_member_leaves_is_refused(
    alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    stripe = FakeStripe()
    monkeypatch.setattr(stripe_gateway, "customer_create", stripe.customer_create)
    monkeypatch.setattr(stripe_gateway, "payment_intent_create", stripe.payment_intent_create)
    checked, go = threading.Event(), threading.Event()
    anonymise = privacy_registry.privacy_anonymise

    def anonymise_after_a_pause(member: User) -> None:
        # Obligations are read: no payment pending. Now a payment tries to start.
        checked.set()
        assert go.wait(WAIT)
        anonymise(member)

    monkeypatch.setattr(privacy_registry, "privacy_anonymise", anonymise_after_a_pause)

    def pay() -> object:
        assert checked.wait(WAIT)
        return payment_start(
            payer=alice,
            amount=Money(1500, "EUR"),
            purpose=PaymentPurpose.OTHER,
            cause=Cause(service="tests"),
            splits=[(coop_account(AccountKind.FEE_REVENUE), 1)],
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        leaving = pool.submit(_in_thread(lambda: services.member_delete(user=alice)))
        paying = pool.submit(_in_thread(pay))
        assert checked.wait(WAIT)
        time.sleep(SETTLE)
        assert not paying.done()  # it waits for the member's row
        go.set()
        left: Any = leaving.result(timeout=WAIT)
        paid = paying.result(timeout=WAIT)

    assert isinstance(left, User)
    assert isinstance(paid, MemberLeft)
    assert paid.code == "member_left"
    assert not Payment.objects.filter(payer=alice).exists()
    alice.refresh_from_db()
    assert not alice.is_active


def test_a_posting_under_way_when_the_member_leaves_is_seen_and_the_leaving_refused(
    alice: User,
) -> None:
    posted, release = threading.Event(), threading.Event()

    def owe_alice() -> object:
        with transaction.atomic():
            ledger_post(
                entries=[
                    (coop_account(AccountKind.FEE_REVENUE), Money(500, "EUR")),
                    (member_account(alice, AccountKind.MEMBER_PAYABLE), Money(-500, "EUR")),
                ],
                cause=Cause(service="tests", member=alice),
                description="A dividend being paid",
            )
            posted.set()
            assert release.wait(WAIT)
        return "committed"

    member_account(alice, AccountKind.MEMBER_PAYABLE)  # exists before, as it would
    with ThreadPoolExecutor(max_workers=2) as pool:
        posting = pool.submit(_in_thread(owe_alice))
        assert posted.wait(WAIT)
        leaving = pool.submit(_in_thread(lambda: services.member_delete(user=alice)))
        time.sleep(SETTLE)
        assert not leaving.done()  # it waits for the account the posting holds
        release.set()
        assert posting.result(timeout=WAIT) == "committed"
        refused = leaving.result(timeout=WAIT)

    assert isinstance(refused, OpenObligations)
    alice.refresh_from_db()
    assert alice.is_active
    assert account_balance(member_account(alice, AccountKind.MEMBER_PAYABLE)).cents == -500
    # Settle it so the test ends with a clean ledger check like every other.
    ledger_post(
        entries=[
            (member_account(alice, AccountKind.MEMBER_PAYABLE), Money(500, "EUR")),
            (coop_account(AccountKind.CLEARING), Money(-500, "EUR")),
        ],
        cause=Cause(service="tests", member=alice),
        description="Paid out",
    )
