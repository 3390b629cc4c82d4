"""Unpaid bookings: seats are held only for the payment window, an unpaid passenger never boards
or completes, and the driver sees who has paid."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from coop.members.models import User
from coop.money.ledger import account_balance, member_account
from coop.money.models import AccountKind, Entry
from coop.money.payments import payment_apply_intent
from coop.notifications.models import Notification
from rides import services
from rides.exceptions import InvalidTransition, NotPaid
from rides.models import Booking, BookingStatus, Offer
from rides.tasks import rides_expire_unpaid
from rides.tests.conftest import GLORIES, LES_CORTS, FakeStripe, make_offer, stripe_authorises

pytestmark = pytest.mark.django_db


def _book(offer: Offer, passenger: User, seats: int = 1) -> Booking:
    return services.booking_request(
        passenger=passenger, offer=offer, seats=seats, pickup=LES_CORTS, dropoff=GLORIES
    )


def _nothing_booked_in_the_ledger(driver: User) -> None:
    payable = member_account(driver, AccountKind.MEMBER_PAYABLE)
    assert account_balance(payable).cents == 0
    assert not Entry.objects.filter(account=payable).exists()


def test_a_booking_must_be_paid_within_the_published_window(offer: Offer, bob: User) -> None:
    booking = _book(offer, bob)

    assert booking.pay_by is not None
    assert booking.pay_by - booking.created_at == pytest.approx(
        timedelta(minutes=15), abs=timedelta(seconds=5)
    )
    assert not booking.is_paid


def test_an_unpaid_booking_releases_its_seats_when_the_window_closes(
    offer: Offer, bob: User, charlie: User, fake_stripe: FakeStripe
) -> None:
    unpaid = _book(offer, bob, seats=2)
    paid = _book(offer, charlie)
    stripe_authorises(fake_stripe, paid.pk)

    with time_machine.travel(timezone.now() + timedelta(minutes=14)):
        too_soon = rides_expire_unpaid.call()
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        released = rides_expire_unpaid.call()
        again = rides_expire_unpaid.call()

    assert (too_soon, released, again) == (0, 1, 0)
    unpaid.refresh_from_db()
    paid.refresh_from_db()
    offer.refresh_from_db()
    assert unpaid.status == BookingStatus.EXPIRED
    assert paid.status == BookingStatus.ACCEPTED
    assert offer.seats_left == offer.seats - 1
    assert unpaid.payment is not None
    assert fake_stripe.cancelled == [unpaid.payment.stripe_id]  # the card hold is let go
    assert Notification.objects.filter(recipient=bob, kind="rides.booking_expired").exists()
    assert Notification.objects.filter(
        recipient=offer.driver, kind="rides.booking_expired"
    ).exists()
    _nothing_booked_in_the_ledger(offer.driver)


def test_released_seats_can_be_booked_again(offer: Offer, bob: User, charlie: User) -> None:
    _book(offer, bob, seats=3)
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        rides_expire_unpaid.call()

        rebooked = _book(offer, charlie, seats=3)

    assert rebooked.status == BookingStatus.ACCEPTED


def test_an_unpaid_passenger_does_not_board_and_cannot_complete(
    offer: Offer, alice: User, bob: User, charlie: User, fake_stripe: FakeStripe
) -> None:
    unpaid = _book(offer, bob)
    paid = _book(offer, charlie)
    stripe_authorises(fake_stripe, paid.pk)

    services.offer_advance(driver=alice, offer=offer, status="boarding")
    services.offer_advance(driver=alice, offer=offer, status="under_way")

    unpaid.refresh_from_db()
    offer.refresh_from_db()
    assert unpaid.status == BookingStatus.EXPIRED
    assert offer.seats_left == offer.seats - 1
    assert Notification.objects.filter(recipient=bob, kind="rides.booking_left_behind").exists()
    with pytest.raises(InvalidTransition):
        services.booking_complete(user=alice, booking=unpaid, code=unpaid.code)
    completed = services.booking_complete(user=alice, booking=paid, code=paid.code)
    assert completed.status == BookingStatus.COMPLETED
    assert paid.payment is not None
    assert fake_stripe.captured == [(paid.payment.stripe_id, paid.price_cents)]
    assert unpaid.payment is not None
    assert unpaid.payment.stripe_id in fake_stripe.cancelled


def test_a_request_the_driver_never_answered_is_declined_at_boarding(
    alice: User, bob: User, fake_stripe: FakeStripe
) -> None:

    offer = make_offer(alice, instant_booking=False)
    request = _book(offer, bob)
    stripe_authorises(fake_stripe, request.pk)

    services.offer_advance(driver=alice, offer=offer, status="boarding")

    request.refresh_from_db()
    offer.refresh_from_db()
    assert request.status == BookingStatus.DECLINED
    assert offer.seats_left == offer.seats


def test_a_hold_cancelled_at_stripe_after_boarding_cannot_be_completed(
    offer: Offer, alice: User, bob: User, fake_stripe: FakeStripe
) -> None:
    booking = _book(offer, bob)
    stripe_authorises(fake_stripe, booking.pk)
    services.offer_advance(driver=alice, offer=offer, status="boarding")
    services.offer_advance(driver=alice, offer=offer, status="under_way")
    assert booking.payment is not None
    # Somebody cancels the PaymentIntent in Stripe's dashboard: its webhook arrives.
    fake_stripe.intents[booking.payment.stripe_id]["status"] = "canceled"
    payment_apply_intent(
        intent=fake_stripe.intents[booking.payment.stripe_id],
        stripe_event_id="evt_cancelled_by_hand",
        created=int(timezone.now().timestamp()),
    )

    with pytest.raises(NotPaid):
        services.booking_complete(user=bob, booking=booking, code=booking.code)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.ACCEPTED
    _nothing_booked_in_the_ledger(alice)


def test_the_api_tells_the_driver_who_has_paid(
    offer: Offer, bob: User, charlie: User, alice_client: Client, fake_stripe: FakeStripe
) -> None:
    unpaid = _book(offer, bob)
    paid = _book(offer, charlie)
    stripe_authorises(fake_stripe, paid.pk)

    rows = alice_client.get(f"/api/v1/rides/offers/{offer.pk}/bookings").json()

    by_id = {row["id"]: row for row in rows}
    assert by_id[unpaid.pk]["paid"] is False
    assert by_id[unpaid.pk]["pay_by"] is not None
    assert by_id[paid.pk]["paid"] is True


def test_a_hold_stripe_authorised_before_its_webhook_arrived_keeps_the_seat(
    offer: Offer, alice: User, bob: User, fake_stripe: FakeStripe
) -> None:
    booking = _book(offer, bob)
    stripe_authorises(fake_stripe, booking.pk, webhook=False)

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        released = rides_expire_unpaid.call()

    booking.refresh_from_db()
    assert released == 0
    assert booking.status == BookingStatus.ACCEPTED
    assert booking.is_paid
