"""The webhook endpoint: signatures, the tolerance window, exactly-once and out-of-order events."""

from __future__ import annotations

import time

from coop.members.models import User
from coop.money.amounts import Money
from coop.money.ledger import account_balance, coop_account, member_account
from coop.money.models import (
    AccountKind,
    LedgerTransaction,
    Payment,
    PaymentStatus,
    StripeEvent,
    StripeEventStatus,
)
from coop.money.tests.conftest import EventPoster, sign
from coop.money.tests.factories import intent, payment_for_test, refund


def test_a_confirmed_payment_event_books_the_splits(
    events: EventPoster, alice: User, bob: User
) -> None:
    payment = payment_for_test(payer=alice, host=bob)
    response = events.post(events.event("payment_intent.succeeded", intent(payment)))
    assert response.status_code == 200
    assert response.json()["status"] == "processed"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert account_balance(member_account(bob, AccountKind.MEMBER_PAYABLE)) == Money(-9000, "EUR")
    assert account_balance(coop_account(AccountKind.FEE_REVENUE)) == Money(-1000, "EUR")
    assert account_balance(coop_account(AccountKind.CLEARING)) == Money(10000, "EUR")
    tx = LedgerTransaction.objects.get()
    assert tx.stripe_event_id.startswith("evt_test_")
    assert tx.member == alice


def test_a_duplicate_delivery_does_nothing(events: EventPoster, alice: User, bob: User) -> None:
    payment = payment_for_test(payer=alice, host=bob)
    payload = events.event("payment_intent.succeeded", intent(payment))
    assert events.post(payload).status_code == 200
    again = events.post(payload)
    assert again.status_code == 200
    assert StripeEvent.objects.count() == 1
    assert LedgerTransaction.objects.count() == 1
    # The same news in a new event (Stripe can send both) books nothing either.
    assert events.post(events.event("payment_intent.succeeded", intent(payment))).status_code == 200
    assert LedgerTransaction.objects.count() == 1


def test_a_forged_signature_is_refused_and_changes_nothing(
    events: EventPoster, alice: User, bob: User
) -> None:
    payment = payment_for_test(payer=alice, host=bob)
    payload = events.event("payment_intent.succeeded", intent(payment))
    response = events.post(payload, signature=sign(payload, secret="whsec_someone_else"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_webhook"
    assert events.post(payload, signature="t=1,v1=nonsense").status_code == 400
    assert events.post(payload, signature="").status_code == 400
    assert StripeEvent.objects.count() == 0
    assert LedgerTransaction.objects.count() == 0
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_a_tampered_payload_is_refused(events: EventPoster, alice: User, bob: User) -> None:
    payment = payment_for_test(payer=alice, host=bob)
    payload = events.event("payment_intent.succeeded", intent(payment))
    signature = sign(payload)
    tampered = payload.replace(b'"amount_received": 10000', b'"amount_received": 99')
    assert events.post(tampered, signature=signature).status_code == 400
    assert LedgerTransaction.objects.count() == 0


def test_an_event_older_than_the_tolerance_is_refused(
    events: EventPoster, alice: User, bob: User
) -> None:
    payment = payment_for_test(payer=alice, host=bob)
    payload = events.event("payment_intent.succeeded", intent(payment))
    stale = int(time.time()) - 301
    response = events.post(payload, signature=sign(payload, timestamp=stale))
    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_a_late_failure_does_not_undo_a_success(
    events: EventPoster, alice: User, bob: User
) -> None:
    payment = payment_for_test(payer=alice, host=bob)
    now = int(time.time())
    succeeded = events.event("payment_intent.succeeded", intent(payment), created=now)
    failed = events.event(
        "payment_intent.payment_failed",
        intent(payment, "requires_payment_method"),
        created=now - 60,
    )
    assert events.post(succeeded).status_code == 200
    assert events.post(failed).status_code == 200
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert LedgerTransaction.objects.count() == 1


def test_a_success_after_a_failure_is_booked(events: EventPoster, alice: User, bob: User) -> None:
    payment = payment_for_test(payer=alice, host=bob)
    events.post(
        events.event("payment_intent.payment_failed", intent(payment, "requires_payment_method"))
    )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED
    events.post(events.event("payment_intent.succeeded", intent(payment)))
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert LedgerTransaction.objects.count() == 1


def test_an_unknown_event_type_is_stored_as_ignored(events: EventPoster, db: None) -> None:
    payload = events.event("customer.created", {"id": "cus_123", "object": "customer"})
    response = events.post(payload)
    assert response.status_code == 200
    event = StripeEvent.objects.get()
    assert event.status == StripeEventStatus.IGNORED
    assert event.type == "customer.created"


def test_an_event_for_someone_elses_intent_is_ignored(events: EventPoster, db: None) -> None:
    payload = events.event(
        "payment_intent.succeeded",
        {"id": "pi_not_ours", "object": "payment_intent", "status": "succeeded"},
    )
    assert events.post(payload).json()["status"] == "ignored"
    assert LedgerTransaction.objects.count() == 0


def test_a_signed_payload_that_is_not_an_event_is_refused(events: EventPoster, db: None) -> None:
    payload = b'{"hello": "world"}'
    assert events.post(payload).status_code == 400
    payload = b"not json"
    assert events.post(payload).status_code == 400


def test_a_refund_made_in_the_dashboard_is_booked_once_from_its_events(
    events: EventPoster, alice: User, bob: User
) -> None:
    payment = payment_for_test(payer=alice, host=bob)
    events.post(events.event("payment_intent.succeeded", intent(payment)))
    dashboard_refund = refund(payment, 5000)
    charge = {
        "id": "ch_test",
        "object": "charge",
        "payment_intent": payment.stripe_id,
        "refunds": {"object": "list", "data": [dashboard_refund]},
    }
    assert events.post(events.event("charge.refunded", charge)).json()["status"] == "processed"
    # Stripe also says so as refund.updated; that must not book it again.
    events.post(events.event("refund.updated", dashboard_refund))
    payment.refresh_from_db()
    assert payment.refunded_cents == 5000
    assert account_balance(member_account(bob, AccountKind.MEMBER_PAYABLE)) == Money(-4500, "EUR")
    assert account_balance(coop_account(AccountKind.FEE_REVENUE)) == Money(-500, "EUR")
    assert account_balance(coop_account(AccountKind.CLEARING)) == Money(5000, "EUR")
    assert LedgerTransaction.objects.count() == 2


def test_a_refund_beyond_what_was_paid_is_not_booked(
    events: EventPoster, alice: User, bob: User
) -> None:
    payment = payment_for_test(payer=alice, host=bob)
    events.post(events.event("payment_intent.succeeded", intent(payment)))
    events.post(events.event("refund.created", refund(payment, 8000)))
    events.post(events.event("refund.created", refund(payment, 8000)))
    assert Payment.objects.get(pk=payment.pk).refunded_cents == 8000
    assert LedgerTransaction.objects.count() == 2


def test_a_refund_event_before_the_payment_event_waits_for_it(
    events: EventPoster, alice: User, bob: User
) -> None:
    payment = payment_for_test(payer=alice, host=bob)
    early = refund(payment, 3000)
    events.post(events.event("refund.created", early))
    assert LedgerTransaction.objects.count() == 0
    events.post(events.event("payment_intent.succeeded", intent(payment)))
    events.post(events.event("refund.updated", early))
    assert Payment.objects.get(pk=payment.pk).refunded_cents == 3000
    assert LedgerTransaction.objects.count() == 2


def test_the_released_rest_of_a_partly_captured_deposit_is_not_booked_as_a_refund(
    events: EventPoster, alice: User, bob: User
) -> None:
    deposit = payment_for_test(
        payer=alice, host=bob, amount_cents=10000, manual_capture=True, capture_requested_cents=8000
    )
    captured = intent(deposit, amount_received=8000)
    events.post(events.event("payment_intent.succeeded", captured))
    released = refund(deposit, 2000)
    events.post(
        events.event(
            "charge.refunded",
            {
                "id": "ch_x",
                "object": "charge",
                "payment_intent": deposit.stripe_id,
                "refunds": {"object": "list", "data": [released]},
            },
        )
    )
    events.post(events.event("refund.updated", released))
    deposit.refresh_from_db()
    assert deposit.captured_cents == 8000
    assert deposit.refunded_cents == 0
    assert LedgerTransaction.objects.count() == 1
    # A real refund of part of what was captured is booked.
    events.post(events.event("refund.created", refund(deposit, 1000)))
    deposit.refresh_from_db()
    assert deposit.refunded_cents == 1000
    assert account_balance(coop_account(AccountKind.CLEARING)) == Money(7000, "EUR")
