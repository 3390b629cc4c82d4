"""The real flows against localstripe: create intent, confirm with a test card, receive the
signed event on our live server, ledger updated."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from coop.members.models import MembershipStatus, User
from coop.money.amounts import Money
from coop.money.ledger import Cause, account_balance, coop_account, ledger_problems, member_account
from coop.money.localdev import localstripe_confirm_with_test_card
from coop.money.models import AccountKind, LedgerTransaction, Payment, PaymentStatus, Refund
from coop.money.payments import deposit_capture, deposit_hold, deposit_release, payment_refund
from coop.money.shares import share_payment_start, share_refund_approve, share_refund_request
from coop.money.stripe_gateway import payment_intent_retrieve
from coop.money.tests.conftest import Deliveries
from governance.models import AuditLogEntry

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_paying_the_share_makes_the_applicant_a_member(
    deliveries: Deliveries, applicant: User, board: User
) -> None:
    payment = share_payment_start(applicant=applicant)
    assert payment.client_secret.startswith(payment.stripe_id)
    assert payment.amount_cents == 5000
    applicant.refresh_from_db()
    assert applicant.membership_status == MembershipStatus.APPLICANT  # nothing before Stripe

    localstripe_confirm_with_test_card(payment=payment)
    deliveries.wait("payment_intent.succeeded")

    applicant.refresh_from_db()
    assert applicant.membership_status == MembershipStatus.MEMBER
    assert applicant.member_number is not None
    share_capital = member_account(applicant, AccountKind.SHARE_CAPITAL)
    assert account_balance(share_capital) == Money(-5000, "EUR")
    assert account_balance(coop_account(AccountKind.CLEARING)) == Money(5000, "EUR")

    # Leaving: the board approves, Stripe refunds, the ledger reverses, the member has left.
    refund_request = share_refund_request(member=applicant)
    share_refund_approve(board_member=board, refund_request=refund_request)
    applicant.refresh_from_db()
    assert applicant.membership_status == MembershipStatus.LEFT
    audit = AuditLogEntry.objects.get(action="money.share_refund_approved")
    assert audit.actor_pk == board.pk
    assert account_balance(share_capital) == Money(0, "EUR")
    assert account_balance(coop_account(AccountKind.CLEARING)) == Money(0, "EUR")
    assert ledger_problems() == []
    call_command("ledger_check")


def test_a_deposit_hold_is_captured_in_part_and_the_rest_released(
    deliveries: Deliveries, alice: User
) -> None:
    held = coop_account(AccountKind.DEPOSITS_HELD)
    payment = deposit_hold(
        member=alice, amount=Money(10000, "EUR"), cause=Cause(service="lending", member=alice)
    )
    assert payment.manual_capture
    localstripe_confirm_with_test_card(payment=payment)
    assert payment_intent_retrieve(payment.stripe_id)["status"] == "requires_capture"
    assert account_balance(held) == Money(0, "EUR")  # an authorisation moves no money

    deposit_capture(payment=payment, amount=Money(2500, "EUR"))
    deliveries.wait("payment_intent.succeeded")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.captured_cents == 2500
    assert account_balance(held) == Money(-2500, "EUR")
    assert account_balance(coop_account(AccountKind.CLEARING)) == Money(2500, "EUR")

    # A second deposit is released without capturing anything.
    other = deposit_hold(
        member=alice, amount=Money(4000, "EUR"), cause=Cause(service="lending", member=alice)
    )
    localstripe_confirm_with_test_card(payment=other)
    other = deposit_release(payment=other)
    assert other.status == PaymentStatus.CANCELED
    assert payment_intent_retrieve(other.stripe_id)["status"] == "canceled"
    assert account_balance(held) == Money(-2500, "EUR")
    call_command("ledger_check")


def test_a_partial_refund_reverses_the_right_entries_in_proportion(
    deliveries: Deliveries, alice: User, bob: User
) -> None:
    from coop.money.payments import payment_start  # noqa: PLC0415

    host = member_account(bob, AccountKind.MEMBER_PAYABLE)
    fee = coop_account(AccountKind.FEE_REVENUE)
    fund = coop_account(AccountKind.COMMUNITY_PROJECT, key="bike-kitchen")
    payment = payment_start(
        payer=alice,
        amount=Money(10000, "EUR"),
        purpose="other",
        cause=Cause(service="testing", member=alice),
        splits=[(host, 85), (fee, 10), (fund, 5)],
    )
    localstripe_confirm_with_test_card(payment=payment)
    deliveries.wait("payment_intent.succeeded")
    assert account_balance(host) == Money(-8500, "EUR")
    assert account_balance(fee) == Money(-1000, "EUR")
    assert account_balance(fund) == Money(-500, "EUR")

    refund = payment_refund(payment=payment, amount=Money(2000, "EUR"), reason="one night less")
    assert Refund.objects.get(pk=refund.pk).ledger_transaction_id is not None
    assert account_balance(host) == Money(-6800, "EUR")
    assert account_balance(fee) == Money(-800, "EUR")
    assert account_balance(fund) == Money(-400, "EUR")
    assert account_balance(coop_account(AccountKind.CLEARING)) == Money(8000, "EUR")

    payment_refund(payment=payment)  # the rest
    for account in (host, fee, fund):
        assert account_balance(account) == Money(0, "EUR")
    call_command("ledger_check")


def test_the_share_flow_through_the_api_as_the_payment_page_drives_it(
    deliveries: Deliveries, applicant: User
) -> None:
    from django.test import Client  # noqa: PLC0415

    client = Client()
    client.force_login(applicant)
    started = client.post("/api/v1/payments/shares")
    assert started.status_code == 201
    payment_id = started.json()["id"]
    confirmed = client.post(
        f"/api/v1/payments/{payment_id}/localstripe-confirm",
        data={"card_number": "4242424242424242"},
        content_type="application/json",
    )
    assert confirmed.status_code == 200
    deliveries.wait("payment_intent.succeeded")
    applicant.refresh_from_db()
    assert applicant.membership_status == MembershipStatus.MEMBER
    statement = client.get("/api/v1/coop/ledger").json()["results"]
    assert [(line["account_kind"], line["amount_cents"]) for line in statement] == [
        ("share_capital", 5000)
    ]


def test_a_declined_card_leaves_the_applicant_an_applicant(
    deliveries: Deliveries, applicant: User
) -> None:
    from django.test import Client  # noqa: PLC0415

    client = Client()
    client.force_login(applicant)
    payment_id = client.post("/api/v1/payments/shares").json()["id"]
    declined = client.post(
        f"/api/v1/payments/{payment_id}/localstripe-confirm",
        data={"card_number": "4000000000000341"},
        content_type="application/json",
    )
    assert declined.status_code == 409
    assert declined.json()["error"]["code"] == "payment_provider_error"
    deliveries.wait("payment_intent.payment_failed")
    assert Payment.objects.get(pk=payment_id).status == PaymentStatus.FAILED
    applicant.refresh_from_db()
    assert applicant.membership_status == MembershipStatus.APPLICANT
    assert LedgerTransaction.objects.count() == 0
