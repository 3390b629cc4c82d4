"""A ride paid for real against localstripe: held at booking, captured after the code confirms
the ride, and the driver's share booked in the ledger when Stripe confirms."""

from __future__ import annotations

import pytest

from coop.members.models import User
from coop.money.amounts import Money
from coop.money.ledger import account_balance, member_account
from coop.money.localdev import localstripe_confirm_with_test_card
from coop.money.models import AccountKind, PaymentStatus
from coop.money.stripe_gateway import payment_intent_retrieve
from coop.money.tests.conftest import (  # noqa: F401 (fixtures)
    Deliveries,
    deliveries,
    localstripe_url,
    stripe_local,
    stripe_webhooks,
)
from rides import services
from rides.models import BookingStatus
from rides.tests.conftest import GLORIES, LES_CORTS, make_offer

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fake_stripe() -> None:
    """This module talks to localstripe, not to the stand-in the other rides tests use."""


def test_a_booked_seat_is_held_then_captured_for_the_driver(
    deliveries: Deliveries,  # noqa: F811 (the fixture imported above)
    alice: User,
    bob: User,
    charlie: User,
) -> None:
    offer = make_offer(alice, instant_booking=True)
    booking = services.booking_request(
        passenger=bob, offer=offer, seats=1, pickup=LES_CORTS, dropoff=GLORIES
    )
    unpaid = services.booking_request(
        passenger=charlie, offer=offer, seats=1, pickup=LES_CORTS, dropoff=GLORIES
    )
    assert booking.payment is not None
    localstripe_confirm_with_test_card(payment=booking.payment)
    assert payment_intent_retrieve(booking.payment.stripe_id)["status"] == "requires_capture"

    # Boarding asks Stripe about holds still pending here: Bob's is authorised, Charlie never
    # gave a card, so Charlie's seat is released and nothing of his is ever booked.
    services.offer_advance(driver=alice, offer=offer, status="boarding")
    unpaid.refresh_from_db()
    assert unpaid.status == BookingStatus.EXPIRED
    services.offer_advance(driver=alice, offer=offer, status="under_way")
    services.booking_complete(user=bob, booking=booking, code=booking.code)
    deliveries.wait("payment_intent.succeeded")

    booking.payment.refresh_from_db()
    assert booking.payment.status == PaymentStatus.SUCCEEDED
    payable = member_account(alice, AccountKind.MEMBER_PAYABLE)
    assert account_balance(payable) == Money(-booking.price_cents, "EUR")
