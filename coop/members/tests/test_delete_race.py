"""Leaving at the same moment as a payment starts, a posting lands or hours are sent (PostgreSQL,
real threads): the member is either refused (the other write came first) or gone before the
other write, which then finds them gone. Never an anonymised member with something open."""

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
from coop.members.tests.factories import MemberFactory
from coop.money import stripe_gateway
from coop.money.amounts import Money
from coop.money.ledger import Cause, account_balance, coop_account, ledger_post, member_account
from coop.money.models import AccountKind, Payment, PaymentPurpose
from coop.money.payments import payment_start
from stays.tests.conftest import FakeStripe
from timebank import services as timebank_services
from timebank.exceptions import UnknownMember
from timebank.models import TimeAccount, Transfer

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


# --- Hours: a timebank transfer needs no payment, so it locks the members itself -------------


def test_a_transfer_under_way_when_the_payee_leaves_is_seen_and_the_leaving_refused(
    alice: User, bob: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    written, release = threading.Event(), threading.Event()
    notify = timebank_services.notification_send

    def notify_then_pause(**kwargs: Any) -> object:
        # The transfer is written and its locks held; the transaction has not committed.
        sent = notify(**kwargs)
        written.set()
        assert release.wait(WAIT)
        return sent

    monkeypatch.setattr(timebank_services, "notification_send", notify_then_pause)
    with ThreadPoolExecutor(max_workers=2) as pool:
        sending = pool.submit(
            _in_thread(
                lambda: timebank_services.transfer_create(
                    payer=alice, to_member_id=bob.pk, minutes=60
                )
            )
        )
        assert written.wait(WAIT)
        leaving = pool.submit(_in_thread(lambda: services.member_delete(user=bob)))
        time.sleep(SETTLE)
        assert not leaving.done()  # it waits for the time account the transfer holds
        release.set()
        sent = sending.result(timeout=WAIT)
        refused = leaving.result(timeout=WAIT)

    assert isinstance(sent, Transfer)
    assert isinstance(refused, OpenObligations)
    bob.refresh_from_db()
    assert bob.is_active
    assert TimeAccount.objects.get(owner=bob).balance_minutes == 60


@pytest.mark.parametrize("who_leaves", ["payer", "payee"])
def test_a_transfer_starting_while_a_party_leaves_is_refused(
    alice: User, bob: User, monkeypatch: pytest.MonkeyPatch, who_leaves: str
) -> None:
    leaver = alice if who_leaves == "payer" else bob
    for member in (alice, bob):
        timebank_services.account_for(member)  # both have used the timebank before
    checked, go = threading.Event(), threading.Event()
    anonymise = privacy_registry.privacy_anonymise

    def anonymise_after_a_pause(member: User) -> None:
        checked.set()  # obligations read: a zero balance. Now the transfer tries to start.
        assert go.wait(WAIT)
        anonymise(member)

    monkeypatch.setattr(privacy_registry, "privacy_anonymise", anonymise_after_a_pause)

    def send() -> object:
        assert checked.wait(WAIT)
        return timebank_services.transfer_create(payer=alice, to_member_id=bob.pk, minutes=60)

    with ThreadPoolExecutor(max_workers=2) as pool:
        leaving = pool.submit(_in_thread(lambda: services.member_delete(user=leaver)))
        sending = pool.submit(_in_thread(send))
        assert checked.wait(WAIT)
        time.sleep(SETTLE)
        assert not sending.done()  # it waits for the accounts, then the members
        go.set()
        left: Any = leaving.result(timeout=WAIT)
        sent = sending.result(timeout=WAIT)

    assert isinstance(left, User)
    assert isinstance(sent, MemberLeft)
    assert not Transfer.objects.exists()
    assert set(TimeAccount.objects.values_list("balance_minutes", flat=True)) == {0}


def test_transfers_and_leavings_at_the_same_moment_never_move_hours_of_someone_gone(
    alice: User,
) -> None:
    """Unstaged: whichever commits first, the payee either keeps the hours and stays, or is
    gone and got nothing."""
    for _ in range(6):
        payee = MemberFactory.create()
        start = threading.Barrier(2, timeout=WAIT)

        def send(payee: User = payee, start: threading.Barrier = start) -> object:
            start.wait()
            return timebank_services.transfer_create(payer=alice, to_member_id=payee.pk, minutes=30)

        def leave(payee: User = payee, start: threading.Barrier = start) -> object:
            start.wait()
            return services.member_delete(user=payee)

        with ThreadPoolExecutor(max_workers=2) as pool:
            sending, leaving = pool.submit(_in_thread(send)), pool.submit(_in_thread(leave))
            sent, left = sending.result(timeout=WAIT), leaving.result(timeout=WAIT)

        payee.refresh_from_db()
        received = Transfer.objects.filter(to_account__owner=payee)
        if isinstance(sent, Transfer):
            assert isinstance(left, OpenObligations)
            assert payee.is_active
            assert received.get().amount_minutes == 30
        else:
            # Refused either under the lock or already when the payee was looked up.
            assert isinstance(sent, MemberLeft | UnknownMember), sent
            assert isinstance(left, User)
            assert not payee.is_active
            assert not received.exists()
    assert sum(TimeAccount.objects.values_list("balance_minutes", flat=True)) == 0
