"""Deposits through the money API, with Stripe replaced at the gateway boundary."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from coop.members.models import User
from coop.money import payments, stripe_gateway
from coop.money.ledger import account_balance, coop_account, member_account
from coop.money.models import AccountKind, Entry, Payment, PaymentStatus
from lending import services
from lending.exceptions import InvalidTransition
from lending.models import Item, Reservation, ReservationStatus
from lending.tests.conftest import at

pytestmark = pytest.mark.django_db(transaction=True)


class FakeStripe:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def customer_create(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("customer_create", kwargs))
        return {"id": f"cus_{kwargs['member_id']}"}

    def payment_intent_create(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("payment_intent_create", kwargs))
        n = len(self.calls)
        return {
            "id": f"pi_{n}",
            "client_secret": f"pi_{n}_secret",
            "status": "requires_payment_method",
        }

    def payment_intent_cancel(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("payment_intent_cancel", kwargs))
        return {"id": kwargs["intent_id"], "status": "canceled"}


@pytest.fixture
def fake_stripe(monkeypatch: pytest.MonkeyPatch) -> FakeStripe:
    fake = FakeStripe()
    for name in ("customer_create", "payment_intent_create", "payment_intent_cancel"):
        monkeypatch.setattr(stripe_gateway, name, getattr(fake, name))
    return fake


def test_a_deposit_is_held_at_approval_pickup_waits_for_it_and_a_clean_return_releases_it(
    drill: Item, alice: User, bob: User, fake_stripe: FakeStripe, frozen_now: time_machine.Traveller
) -> None:
    Item.objects.filter(pk=drill.pk).update(deposit_cents=5000)
    drill.refresh_from_db()
    reservation = services.reservation_request(
        borrower=bob, item=drill, starts_at=at(2), ends_at=at(6)
    )

    services.reservation_approve(actor=alice, reservation=reservation)

    reservation = Reservation.objects.select_related("deposit_payment").get(pk=reservation.pk)
    payment = reservation.deposit_payment
    assert payment is not None
    assert (payment.amount_cents, payment.manual_capture, payment.payer) == (5000, True, bob)
    intent = next(kw for name, kw in fake_stripe.calls if name == "payment_intent_create")
    assert intent["manual_capture"] is True

    frozen_now.move_to(at(2))
    with pytest.raises(InvalidTransition) as caught:
        services.reservation_pickup(
            actor=alice, reservation=reservation, answers={"Battery charged?": "y"}
        )
    assert caught.value.code == "deposit_not_held"

    # Stripe confirmed the authorisation (its webhook moves the payment to authorised).
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.AUTHORISED)
    reservation = Reservation.objects.select_related("deposit_payment").get(pk=reservation.pk)
    services.reservation_pickup(
        actor=alice, reservation=reservation, answers={"Battery charged?": "y"}
    )
    closed = services.reservation_return(
        actor=alice,
        reservation=Reservation.objects.get(pk=reservation.pk),
        condition="good",
        answers={"Bits all back in the case?": "yes"},
    )

    assert closed.status == ReservationStatus.CLOSED
    assert any(name == "payment_intent_cancel" for name, _ in fake_stripe.calls)
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CANCELED


def test_the_borrower_gets_the_client_secret_and_can_restart_a_failed_hold(  # noqa: PLR0917
    drill: Item,
    alice: User,
    bob: User,
    fake_stripe: FakeStripe,
    alice_client: Client,
    bob_client: Client,
    charlie_client: Client,
) -> None:
    Item.objects.filter(pk=drill.pk).update(deposit_cents=3000)
    drill.refresh_from_db()
    reservation = services.reservation_request(
        borrower=bob, item=drill, starts_at=at(2), ends_at=at(6)
    )
    services.reservation_approve(actor=alice, reservation=reservation)
    url = f"/api/v1/lending/reservations/{reservation.pk}"

    mine = bob_client.get(url).json()["deposit"]
    assert mine["amount_cents"] == 3000
    assert mine["client_secret"].endswith("_secret")
    assert alice_client.get(url).json()["deposit"]["client_secret"] is None

    # The card was refused: the borrower starts a new hold.
    Payment.objects.update(status=PaymentStatus.FAILED)
    assert charlie_client.post(f"{url}/deposit").status_code == 404
    assert alice_client.post(f"{url}/deposit").status_code == 403
    restarted = bob_client.post(f"{url}/deposit")
    assert restarted.status_code == 200
    assert restarted.json()["deposit"]["status"] == "pending"
    assert Payment.objects.count() == 2


class CapturingStripe(FakeStripe):
    """A fake whose authorised holds can be captured (the late-fee path)."""

    def payment_intent_retrieve(self, intent_id: str) -> dict[str, Any]:
        return {"id": intent_id, "status": "requires_capture", "amount": 5000}

    def payment_intent_capture(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("payment_intent_capture", kwargs))
        return {"id": kwargs["intent_id"], "status": "succeeded"}


def test_a_late_return_pays_the_published_late_fee_from_the_deposit(
    drill: Item,
    alice: User,
    bob: User,
    monkeypatch: pytest.MonkeyPatch,
    frozen_now: time_machine.Traveller,
) -> None:
    fake = _capturing_stripe(monkeypatch)
    Item.objects.filter(pk=drill.pk).update(deposit_cents=5000, replacement_value_cents=12000)
    drill.refresh_from_db()
    reservation = services.reservation_request(
        borrower=bob, item=drill, starts_at=at(2), ends_at=at(6)
    )
    services.reservation_approve(actor=alice, reservation=reservation)
    payment = Reservation.objects.get(pk=reservation.pk).deposit_payment
    assert payment is not None
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.AUTHORISED)
    frozen_now.move_to(at(2))
    services.reservation_pickup(
        actor=alice,
        reservation=Reservation.objects.get(pk=reservation.pk),
        answers={"Battery charged?": "y"},
    )

    # Back 30 hours late: two started 24-hour periods at 2 euros (defaults), under the cap.
    frozen_now.move_to(at(36))
    closed = services.reservation_return(
        actor=alice,
        reservation=Reservation.objects.get(pk=reservation.pk),
        condition="good",
        answers={"Bits all back in the case?": "yes"},
    )

    assert closed.late_fee_cents == 400
    captures = [kw for name, kw in fake.calls if name == "payment_intent_capture"]
    assert [c["amount_cents"] for c in captures] == [400]
    assert not any(name == "payment_intent_cancel" for name, _ in fake.calls)


def test_the_borrower_holds_the_deposit_on_the_loan_page_and_the_owner_never_sees_the_form(
    drill: Item, alice: User, bob: User, fake_stripe: FakeStripe
) -> None:
    Item.objects.filter(pk=drill.pk).update(deposit_cents=5000)
    drill.refresh_from_db()
    reservation = services.reservation_request(
        borrower=bob, item=drill, starts_at=at(2), ends_at=at(6)
    )
    services.reservation_approve(actor=alice, reservation=reservation)
    borrower, owner = Client(), Client()
    borrower.force_login(bob)
    owner.force_login(alice)

    page = borrower.get(f"/lending/loans/{reservation.pk}/").content.decode()
    owners_page = owner.get(f"/lending/loans/{reservation.pk}/").content.decode()

    payment = Reservation.objects.get(pk=reservation.pk).deposit_payment
    assert payment is not None
    assert f'data-client-secret="{payment.client_secret}"' in page
    assert "money/pay.js" in page
    assert "€50.00" in page
    assert 'id="payment-form"' not in owners_page
    assert payment.client_secret not in owners_page


def _capturing_stripe(monkeypatch: pytest.MonkeyPatch) -> CapturingStripe:
    fake = CapturingStripe()
    for name in (
        "customer_create",
        "payment_intent_create",
        "payment_intent_cancel",
        "payment_intent_retrieve",
        "payment_intent_capture",
    ):
        monkeypatch.setattr(stripe_gateway, name, getattr(fake, name))
    return fake


def _late_return_booked(
    item: Item, *, manager: User, borrower: User, frozen_now: time_machine.Traveller
) -> Payment:
    """Borrow `item` (deposit 50 euros), bring it back 30 hours late, and have Stripe confirm
    the capture of the late fee; returns the settled deposit."""
    Item.objects.filter(pk=item.pk).update(deposit_cents=5000, replacement_value_cents=12000)
    item.refresh_from_db()
    reservation = services.reservation_request(
        borrower=borrower, item=item, starts_at=at(2), ends_at=at(6)
    )
    if reservation.status == ReservationStatus.REQUESTED:
        services.reservation_approve(actor=manager, reservation=reservation)
    payment = Reservation.objects.get(pk=reservation.pk).deposit_payment
    assert payment is not None
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.AUTHORISED)
    frozen_now.move_to(at(2))
    answers = dict.fromkeys(item.checkout_prompts, "yes")
    services.reservation_pickup(
        actor=manager, reservation=Reservation.objects.get(pk=reservation.pk), answers=answers
    )
    frozen_now.move_to(at(36))
    services.reservation_return(
        actor=manager,
        reservation=Reservation.objects.get(pk=reservation.pk),
        condition="good",
        answers=dict.fromkeys(item.checkin_prompts, "yes"),
    )
    # Stripe's webhook confirms the capture; that is when the ledger books money.
    payments.payment_apply_intent(
        intent={"id": payment.stripe_id, "status": "succeeded", "amount_received": 400},
        stripe_event_id=f"evt_late_{payment.pk}",
        created=1,
    )
    return Payment.objects.get(pk=payment.pk)


def _booked(payment: Payment) -> dict[tuple[str, int | None], int]:
    assert payment.ledger_transaction_id is not None
    return {
        (entry.account.kind, entry.account.owner_id): entry.amount_cents
        for entry in Entry.objects.filter(
            transaction_id=payment.ledger_transaction_id
        ).select_related("account")
    }


def test_a_late_fee_on_a_common_store_item_is_co_op_revenue(
    ladder: Item,
    board: User,
    bob: User,
    monkeypatch: pytest.MonkeyPatch,
    frozen_now: time_machine.Traveller,
) -> None:
    _capturing_stripe(monkeypatch)

    payment = _late_return_booked(ladder, manager=board, borrower=bob, frozen_now=frozen_now)

    assert payment.captured_cents == 400
    assert _booked(payment) == {
        (AccountKind.CLEARING, None): 400,
        (AccountKind.FEE_REVENUE, None): -400,
    }
    held = coop_account(AccountKind.DEPOSITS_HELD, currency="EUR")
    assert account_balance(held).cents == 0


def test_a_late_fee_on_a_members_item_goes_to_the_owner(
    drill: Item,
    alice: User,
    bob: User,
    monkeypatch: pytest.MonkeyPatch,
    frozen_now: time_machine.Traveller,
) -> None:
    _capturing_stripe(monkeypatch)

    payment = _late_return_booked(drill, manager=alice, borrower=bob, frozen_now=frozen_now)

    assert _booked(payment) == {
        (AccountKind.CLEARING, None): 400,
        (AccountKind.MEMBER_PAYABLE, alice.pk): -400,
    }
    payable = member_account(alice, AccountKind.MEMBER_PAYABLE, currency="EUR")
    assert account_balance(payable).cents == -400
