"""A host who moves: the one home takes the new address, zone, rules, licence and a new
approximate point; guests booked at the old address hold the move up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from coop.community.models import CommunityProject
from coop.exceptions import InvalidInput, NotFound
from coop.geo.points import Point, distance_km
from coop.members.models import User
from governance.services.counting import parameter_set
from stays import selectors, services
from stays.exceptions import HomeHasBookings, LicenceRequired, NewListingsClosed, NightCapReached
from stays.models import Home, Listing, ListingStatus, Zone
from stays.services.homes import home_move
from stays.tests.conftest import CIUTAT_VELLA, GRACIA, FakeStripe, book, make_listing, soon

API = "/api/v1/stays"


def _move(host: User, at: tuple[float, float] = GRACIA, licence: str = "HUTB-054321") -> Home:
    return home_move(
        host=host, address="Carrer de Verdi 7", point=Point(*at), licence_number=licence
    )


def test_a_host_who_moves_takes_the_listing_to_the_new_address_and_zone(
    alice: User, listing: Listing, zones: dict[str, Zone]
) -> None:
    before = selectors.approximate_home_point(listing)

    home = _move(alice)

    listing.refresh_from_db()
    assert (home.address, home.zone) == ("Carrer de Verdi 7", zones["gracia"])
    assert home.moved_on == timezone.localdate()
    assert listing.home_id == home.pk
    assert listing.licence_number == "HUTB-054321"  # the old dwelling's licence stays behind
    assert Home.objects.filter(host=alice).count() == 1  # one host, one home
    after = selectors.approximate_home_point(listing)
    assert after != before
    assert distance_km(after, home.point) < 0.31  # still near the new home


def test_the_new_approximate_point_is_not_the_old_offset_moved_over(
    alice: User, listing: Listing
) -> None:
    old = listing.home.point
    old_shown = selectors.approximate_home_point(listing)
    home = _move(alice)
    listing.refresh_from_db()
    new_shown = selectors.approximate_home_point(listing)
    # Knowing the old address and its approximate point gives away nothing about the new one.
    carried = (old_shown.lat - old.lat + home.lat, old_shown.lng - old.lng + home.lng)
    assert abs(new_shown.lat - carried[0]) + abs(new_shown.lng - carried[1]) > 1e-4


def test_a_confirmed_stay_at_the_old_address_holds_the_move_up(
    alice: User, bob: User, listing: Listing, project: CommunityProject, fake_stripe: FakeStripe
) -> None:
    booking = book(listing, bob, project, 10, 3)
    assert booking.payment is not None
    fake_stripe.confirm(booking.payment)

    with pytest.raises(HomeHasBookings) as refused:
        _move(alice)
    assert soon(10).strftime("%d %b") in refused.value.message
    assert Home.objects.get(host=alice).address == "Carrer de Mallorca 1"

    # After the last guest checked out, the move goes through.
    with time_machine.travel(timezone.now() + dt.timedelta(days=14)):
        assert _move(alice).address == "Carrer de Verdi 7"


def test_a_request_waiting_for_the_host_holds_the_move_up_until_it_is_answered(
    alice: User, bob: User, zones: dict[str, Zone], project: CommunityProject
) -> None:
    listing = make_listing(alice, instant_book=False)
    booking = book(listing, bob, project, 10, 3)
    with pytest.raises(HomeHasBookings):
        _move(alice)

    services.booking_decline(host=alice, booking=booking)
    assert _move(alice).zone == zones["gracia"]


def test_moving_into_a_zone_closed_to_new_listings_needs_the_listings_paused(
    alice: User, listing: Listing, zones: dict[str, Zone]
) -> None:
    with pytest.raises(NewListingsClosed):
        _move(alice, at=CIUTAT_VELLA)

    services.listing_set_status(host=alice, listing=listing, status=ListingStatus.PAUSED)
    home = _move(alice, at=CIUTAT_VELLA)
    assert home.zone == zones["ciutat-vella"]
    listing.refresh_from_db()
    with pytest.raises(NewListingsClosed):
        services.listing_set_status(host=alice, listing=listing, status=ListingStatus.ACTIVE)


def test_the_new_zone_needs_a_licence_valid_there(alice: User, listing: Listing) -> None:
    with pytest.raises(LicenceRequired) as refused:
        _move(alice, licence="")
    assert "licence_number" in refused.value.fields


def test_bad_input_and_no_home_are_refused(alice: User, bob: User, listing: Listing) -> None:
    with pytest.raises(InvalidInput) as refused:
        home_move(host=alice, address=" ", point=None, licence_number="")
    assert set(refused.value.fields) == {"address", "location"}
    with pytest.raises(NotFound):
        _move(bob)


def test_the_yearly_cap_counts_again_from_the_move(
    *,
    alice: User,
    bob: User,
    charlie: User,
    listing: Listing,
    project: CommunityProject,
    fake_stripe: FakeStripe,
) -> None:
    parameter_set(key="stays.zone.eixample.max_nights", value=5)
    parameter_set(key="stays.zone.gracia.max_nights", value=5)
    with time_machine.travel(dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC)):
        stay = book(listing, bob, project, 1, 5)
        assert stay.payment is not None
        fake_stripe.confirm(stay.payment)
        with pytest.raises(NightCapReached):
            book(listing, charlie, project, 20, 1)
    with time_machine.travel(dt.datetime(2027, 3, 10, 12, tzinfo=dt.UTC)):
        _move(alice)
        listing.refresh_from_db()
        # The new home is a new dwelling: its nights this year start from zero.
        assert book(listing, charlie, project, 10, 5).nights == 5


def test_the_host_moves_from_the_page(
    alice: User, listing: Listing, alice_client: Client, zones: dict[str, Zone]
) -> None:
    page = alice_client.get("/stays/host/home/")
    assert page.status_code == 200
    response = alice_client.post(
        "/stays/host/home/",
        {
            "address": "Carrer de Verdi 7",
            "lat": GRACIA[0],
            "lng": GRACIA[1],
            "licence_number": "HUTB-054321",
        },
    )
    assert response.status_code == 302
    assert Home.objects.get(host=alice).zone == zones["gracia"]

    refused = alice_client.post(
        "/stays/host/home/",
        {"address": "Carrer 1", "lat": GRACIA[0], "lng": GRACIA[1], "licence_number": "nope"},
    )
    assert refused.status_code == 200
    assert "valid licence" in refused.content.decode()


def test_the_api_moves_the_home_and_answers_in_the_error_format(
    alice: User, listing: Listing, alice_client: Client, charlie_client: Client
) -> None:
    url = f"{API}/home"
    body: dict[str, Any] = {
        "address": "Carrer de Verdi 7",
        "location": {"lat": GRACIA[0], "lng": GRACIA[1]},
        "licence_number": "bad",
    }
    refused = alice_client.put(url, body, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "licence_required"

    moved = alice_client.put(
        url, {**body, "licence_number": "HUTB-054321"}, content_type="application/json"
    )
    assert moved.status_code == 200
    assert moved.json()["zone"] == "gracia"
    assert alice_client.get(url).json()["address"] == "Carrer de Verdi 7"
    assert charlie_client.get(url).status_code == 404
