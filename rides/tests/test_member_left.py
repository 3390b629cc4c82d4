"""Offering or booking a ride as a member who left, or on the ride of a driver who left, is
refused: never a seat or a ride held by an anonymised account."""

from __future__ import annotations

import pytest

from coop.members.exceptions import MemberLeft
from coop.members.models import User
from coop.members.tests.leaving import leave_behind_their_back
from rides import services
from rides.exceptions import RideNotOpen
from rides.models import Booking, Offer
from rides.tests.conftest import GLORIES, LES_CORTS, make_offer

pytestmark = pytest.mark.django_db


def test_an_offer_by_a_driver_who_left_is_refused(alice: User) -> None:
    leave_behind_their_back(alice)

    with pytest.raises(MemberLeft):
        make_offer(alice, price_per_seat_cents=0)
    assert not Offer.objects.exists()


def test_a_free_seat_booked_by_a_passenger_who_left_is_refused(alice: User, bob: User) -> None:
    offer = make_offer(alice, price_per_seat_cents=0)
    leave_behind_their_back(bob)

    with pytest.raises(MemberLeft):
        services.booking_request(
            passenger=bob, offer=offer, seats=1, pickup=LES_CORTS, dropoff=GLORIES
        )
    assert not Booking.objects.exists()
    offer.refresh_from_db()
    assert offer.seats_left == offer.seats


def test_a_seat_on_the_ride_of_a_driver_who_left_is_refused(alice: User, bob: User) -> None:
    offer = make_offer(alice, price_per_seat_cents=0)
    leave_behind_their_back(alice)  # their rides are cancelled; `offer` is the request's copy

    with pytest.raises(RideNotOpen):
        services.booking_request(
            passenger=bob, offer=offer, seats=1, pickup=LES_CORTS, dropoff=GLORIES
        )
    assert not Booking.objects.exists()
