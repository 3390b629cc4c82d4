"""The passenger's search map: districts, rides and searched points drawn as SVG by the page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from coop.geo.points import Point, distance_km
from coop.geo.svgmap import MapFrame
from coop.members.models import User
from frontend.testing import assert_accessible_page
from rides.models import Offer
from rides.tests.conftest import GLORIES, LES_CORTS, make_offer, tomorrow_at
from stays.barcelona import DISTRICTS

pytestmark = pytest.mark.django_db


def _search(client: Client, **params: str) -> Any:
    query = {
        "day": tomorrow_at(8).date().isoformat(),
        "earliest": "07:00",
        "latest": "10:00",
        "seats": "1",
        **params,
    }
    return client.get(reverse("rides:search"), query)


def _frame(context_map: dict[str, Any]) -> MapFrame:
    edges = context_map["edges"]
    return MapFrame(
        south=float(edges["south"]),
        north=float(edges["north"]),
        west=float(edges["west"]),
        east=float(edges["east"]),
    )


def test_the_map_draws_the_districts_the_matching_rides_and_the_searched_points(
    offer: Offer, bob_client: Client
) -> None:
    response = _search(bob_client, origin_point=str(LES_CORTS), destination_point=str(GLORIES))

    html = response.content.decode()
    assert_accessible_page(html)
    drawn = response.context["map"]
    assert [d["name"] for d in drawn["districts"]] == [d.name for d in DISTRICTS]
    assert all(d["path"].startswith("M") and d["path"].endswith("Z") for d in drawn["districts"])
    assert [r["offer"] for r in drawn["rides"]] == [offer]
    frame = _frame(drawn)
    assert drawn["origin"] == frame.xy(LES_CORTS)
    assert drawn["destination"] == frame.xy(GLORIES)
    assert html.count('class="ride-map__district"') == len(DISTRICTS)
    assert "<title>Gràcia</title>" in html
    assert 'data-ride-map-pin="origin" transform=' in html
    assert "rides/map.js" in html
    assert "tile" not in html.lower()  # nothing is fetched from a map server


def test_rides_are_drawn_at_their_approximate_ends(offer: Offer, bob_client: Client) -> None:
    response = _search(bob_client, origin="les-corts", destination="glories")

    drawn = response.context["map"]
    (ride,) = drawn["rides"]
    frame = _frame(drawn)
    shown_start = frame.point_at(*ride["start"])
    assert ride["start"] != frame.xy(offer.origin)
    assert 0.05 <= distance_km(shown_start, offer.origin) <= 0.35


def test_before_searching_the_map_shows_upcoming_rides_but_not_my_own(
    alice: User, bob: User, bob_client: Client
) -> None:
    others = make_offer(alice)
    make_offer(bob)

    response = bob_client.get(reverse("rides:search"))

    assert_accessible_page(response.content.decode())
    drawn = response.context["map"]
    assert [r["offer"] for r in drawn["rides"]] == [others]
    assert drawn["origin"] is None
    assert 'data-ride-map-pin="origin" hidden' in response.content.decode()


def test_the_points_a_tap_sets_are_plain_form_fields_that_work_without_the_script(
    offer: Offer, bob_client: Client
) -> None:
    tapped = _frame(bob_client.get(reverse("rides:search")).context["map"])
    # What the script writes into the exact-point fields for two taps on the map.
    origin = tapped.point_at(*tapped.xy(LES_CORTS))
    destination = tapped.point_at(*tapped.xy(GLORIES))

    response = _search(
        bob_client,
        origin_point=f"{origin.lat:.6f},{origin.lng:.6f}",
        destination_point=f"{destination.lat:.6f},{destination.lng:.6f}",
    )

    assert [r["offer"] for r in response.context["results"]] == [offer]
    assert 'name="map_sets"' in response.content.decode()
    assert "map_sets" not in response.request["QUERY_STRING"]


def test_the_map_frame_stays_on_the_city_when_a_ride_leaves_it(
    alice: User, bob_client: Client
) -> None:
    from rides import services  # noqa: PLC0415

    make_offer(alice, destination=services.Place(Point(41.98, 2.82), "Girona"))

    drawn = bob_client.get(reverse("rides:search")).context["map"]

    frame = _frame(drawn)
    assert frame.contains(Point(41.3874, 2.1686))
    assert not frame.contains(Point(41.98, 2.82))
