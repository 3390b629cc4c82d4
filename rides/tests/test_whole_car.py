"""A booking or a search match stands only if the driver's route with everybody already booked
plus the new passenger stays within the driver's limits (rides.detour-matching, step 5)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from coop.algorithms import algorithm_list
from coop.members.models import User
from rides import pools, selectors, services
from rides.exceptions import NotAMatch
from rides.models import Offer
from rides.tests.conftest import make_offer, tomorrow_at
from rides.tests.test_pools import NORTH, SOUTH, along

pytestmark = pytest.mark.django_db


def _diagonal(driver: User) -> Offer:
    """The driver detours at most 1 km: North alone (0.2 km) or South alone (0.24 km) fit,
    both together (1.3 km) do not (the geometry of test_pools)."""
    return make_offer(driver, instant_booking=True, max_detour_km=1.0, price_per_seat_cents=0)


def _book(passenger: User, offer: Offer, trip: pools.PoolRequest) -> None:
    services.booking_request(
        passenger=passenger, offer=offer, seats=1, pickup=trip.origin, dropoff=trip.destination
    )


def _search(trip: pools.PoolRequest) -> list[selectors.FoundMatch]:
    return selectors.offer_matches(
        origin=trip.origin,
        destination=trip.destination,
        depart_after=tomorrow_at(7),
        depart_before=tomorrow_at(9),
        seats=1,
    )


def test_a_passenger_who_fits_alone_but_not_with_the_booked_one_is_refused(
    alice: User, bob: User, charlie: User
) -> None:
    offer = _diagonal(alice)
    _book(bob, offer, SOUTH)

    with pytest.raises(NotAMatch) as refused:
        services.booking_request(
            passenger=charlie, offer=offer, seats=1, pickup=NORTH.origin, dropoff=NORTH.destination
        )

    assert refused.value.code == "not_a_match"
    assert "already booked" in refused.value.message
    offer.refresh_from_db()
    assert offer.seats_left == 2


def test_a_passenger_who_fits_with_the_booked_one_is_accepted_and_told_the_whole_car(
    alice: User, bob: User, charlie: User
) -> None:
    offer = _diagonal(alice)
    _book(bob, offer, SOUTH)
    on_the_way = (along(0.4), along(0.7))

    booking = services.booking_request(
        passenger=charlie, offer=offer, seats=1, pickup=on_the_way[0], dropoff=on_the_way[1]
    )
    assert booking.pk is not None

    (found,) = _search(pools.PoolRequest(0, *on_the_way))
    explanation = found.match.explanation()
    assert explanation["booked_passengers"] == 2
    # Alone the passenger is on the road (no detour); the car's detour is South's and more,
    # still within the driver's 1 km.
    assert found.match.detour_km < 0.01
    assert 0.24 < explanation["car_detour_km"] <= 1.0
    km, minutes = round(explanation["car_detour_km"], 1), round(found.match.car_detour_minutes or 0)
    assert explanation["car_summary"] == (
        f"with the 2 passengers already booked: +{km} km, +{minutes} min"
    )
    assert explanation["algorithm"] == {"slug": "rides.detour-matching", "version": "1.1"}


def test_the_search_offers_only_pickups_that_fit_the_car_with_the_booked_passenger(
    alice: User, bob: User, charlie: User
) -> None:
    offer = _diagonal(alice)
    (alone,) = _search(NORTH)
    assert alone.offer == offer
    assert "booked_passengers" not in alone.match.explanation()
    # With nobody booked, the car is the passenger alone: the match is unchanged.
    assert (
        pools.match_in_car(
            selectors.pool_offer(offer, []), alone.match, settings=selectors.matching_settings()
        )
        == alone.match
    )

    _book(bob, offer, SOUTH)

    (with_bob,) = _search(NORTH)
    # North's own door no longer fits the car (1.3 km with South, over the driver's 1 km): the
    # match is a walk to the road that does, and says so.
    assert with_bob.match.pickup_distance_km > 0
    assert with_bob.match.pickup != NORTH.origin
    assert with_bob.match.car_detour_km is not None
    assert with_bob.match.car_detour_km <= 1.0
    assert with_bob.match.explanation()["booked_passengers"] == 1
    with pytest.raises(NotAMatch):
        services.booking_request(
            passenger=charlie, offer=offer, seats=1, pickup=NORTH.origin, dropoff=NORTH.destination
        )


def test_the_search_costs_the_same_queries_with_more_booked_rides(
    alice: User, bob: User, django_assert_max_num_queries: Any
) -> None:
    for minute in range(5):
        offer = make_offer(
            alice, departs_at=tomorrow_at(8, minute), price_per_seat_cents=0, instant_booking=True
        )
        services.booking_request(
            passenger=bob, offer=offer, seats=1, pickup=along(0.4), dropoff=along(0.7)
        )
    with django_assert_max_num_queries(6):
        found = _search(SOUTH)
    assert len(found) == 5


def test_the_published_matching_method_says_the_whole_car_is_checked() -> None:
    algorithm = next(a for a in algorithm_list() if a.slug == "rides.detour-matching")

    assert algorithm.version == "1.1"
    assert "already booked" in algorithm.description


def test_the_search_page_shows_the_whole_cars_detour(
    alice: User, bob: User, charlie_client: Client
) -> None:
    offer = make_offer(alice, instant_booking=True, price_per_seat_cents=0)
    _book(bob, offer, SOUTH)

    response = charlie_client.get(
        reverse("rides:search"),
        {
            "origin": "les-corts",
            "destination": "glories",
            "day": tomorrow_at(8).date().isoformat(),
            "earliest": "07:00",
            "latest": "10:00",
            "seats": "1",
        },
    )

    assert "with the 1 passenger already booked: +" in response.content.decode()
