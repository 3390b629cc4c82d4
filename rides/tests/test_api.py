"""The rides API against the contract: offers, price cap, matches, bookings, bad input."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from coop.geo.points import Point, distance_km
from coop.members.models import User
from coop.notifications.models import Notification
from rides import services
from rides.models import Booking, BookingStatus, Offer
from rides.tests.conftest import (
    GLORIES,
    LES_CORTS,
    POBLENOU,
    ZONA_UNIVERSITARIA,
    FakeStripe,
    make_offer,
    stripe_authorises,
    tomorrow_at,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/rides"


def post_json(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{API}{path}", data=json.dumps(body or {}), content_type="application/json")


def offer_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "origin": {**ZONA_UNIVERSITARIA.as_dict(), "label": "Zona Universitària"},
        "destination": {**POBLENOU.as_dict(), "label": "Poblenou"},
        "departs_at": tomorrow_at(8).isoformat(),
        "seats": 3,
        "vehicle": {"description": "Blue Ibiza", "seats": 5, "fuel_type": "diesel"},
        "options": {"bike": True, "quiet": True},
        "instant_booking": True,
    }
    body.update(overrides)
    return body


def test_a_driver_offers_a_trip_at_the_suggested_price(alice_client: Client) -> None:
    response = post_json(alice_client, "/offers", offer_body())

    assert response.status_code == 201, response.content
    offer = response.json()
    assert offer["price_per_seat_cents"] == offer["price_cap_cents"] > 0
    assert offer["seats_left"] == 3
    assert offer["options"]["bike"] is True
    assert offer["vehicle"]["fuel_type"] == "diesel"
    assert offer["origin"]["label"] == "Zona Universitària"
    assert offer["limits"]["max_detour_percent"] == 33


def test_a_price_above_the_cost_sharing_cap_is_refused(alice_client: Client) -> None:
    cap = post_json(alice_client, "/offers", offer_body()).json()["price_cap_cents"]

    response = post_json(alice_client, "/offers", offer_body(price_per_seat_cents=cap + 1))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "price_above_cost"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"seats": 0}, "seats"),
        ({"seats": 9}, "seats"),
        ({"departs_at": "2020-01-01T08:00:00+01:00"}, "departs_at"),
        ({"origin": {"lat": 141.0, "lng": 2.1, "label": "Nowhere"}}, "origin.lat"),
        ({"destination": {"lat": 41.4, "lng": "east", "label": "X"}}, "destination.lng"),
    ],
)
def test_bad_offers_get_a_clear_400(
    alice_client: Client, overrides: dict[str, Any], field: str
) -> None:
    response = post_json(alice_client, "/offers", offer_body(**overrides))

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_an_applicant_cannot_offer_rides(applicant_client: Client) -> None:
    response = post_json(applicant_client, "/offers", offer_body())

    assert response.status_code == 403


def _matches(client: Client, **params: Any) -> Any:
    query = {
        "origin": f"{LES_CORTS.lat},{LES_CORTS.lng}",
        "destination": f"{GLORIES.lat},{GLORIES.lng}",
        "depart_after": tomorrow_at(7).isoformat(),
        "depart_before": tomorrow_at(10).isoformat(),
        "seats": 1,
        **params,
    }
    return client.get(f"{API}/matches", query)


def test_matches_carry_pickup_dropoff_and_an_explanation(offer: Offer, bob_client: Client) -> None:
    response = _matches(bob_client)

    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["offer"]["id"] for r in results] == [offer.pk]
    explanation = results[0]["explanation"]
    for key in (
        "detour_km",
        "detour_minutes",
        "detour_percent",
        "pickup_distance_km",
        "dropoff_distance_km",
        "score",
        "limits",
    ):
        assert key in explanation
    assert results[0]["pickup"] == {"lat": LES_CORTS.lat, "lng": LES_CORTS.lng}
    assert 0 < results[0]["price_cents"] < offer.price_per_seat_cents


def test_matches_leave_out_rides_outside_the_window_and_my_own(
    offer: Offer, alice_client: Client, bob_client: Client
) -> None:
    late = _matches(bob_client, depart_after=tomorrow_at(9).isoformat())
    own = _matches(alice_client)

    assert late.json()["results"] == []
    assert own.json()["results"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"origin": "91,2"}, "origin"),
        ({"destination": "abc"}, "destination"),
        ({"seats": 0}, "seats"),
        ({"seats": 9}, "seats"),
        ({"order": "price"}, "order"),
        (
            {
                "depart_after": tomorrow_at(10).isoformat(),
                "depart_before": tomorrow_at(7).isoformat(),
            },
            "depart_before",
        ),
    ],
)
def test_bad_searches_get_a_clear_400(
    bob_client: Client, params: dict[str, Any], field: str
) -> None:
    response = _matches(bob_client, **params)

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_the_match_list_costs_the_same_with_many_rides(
    alice: User, bob_client: Client, django_assert_max_num_queries: Any
) -> None:
    for minutes in range(0, 60, 5):
        make_offer(alice, departs_at=tomorrow_at(8, minutes))

    with django_assert_max_num_queries(6):
        response = _matches(bob_client)

    assert len(response.json()["results"]) == 12


def test_booking_an_instant_ride_holds_seats_and_the_payment(
    offer: Offer, bob: User, bob_client: Client, fake_stripe: FakeStripe
) -> None:
    response = post_json(
        bob_client,
        f"/offers/{offer.pk}/bookings",
        {"seats": 2, "pickup": LES_CORTS.as_dict(), "dropoff": GLORIES.as_dict()},
    )

    assert response.status_code == 201, response.content
    booking = response.json()
    assert booking["status"] == "accepted"
    assert booking["payment"]["client_secret"].startswith("pi_")
    assert len(booking["code"]) == 6
    offer.refresh_from_db()
    assert offer.seats_left == 1
    (intent,) = fake_stripe.intents.values()
    assert intent["manual"] is True
    assert intent["amount"] == booking["price_cents"]
    assert Notification.objects.filter(recipient=offer.driver, kind="rides.booking_new").exists()


def test_overbooking_is_refused_with_no_seats(
    offer: Offer, bob_client: Client, charlie_client: Client
) -> None:
    body = {"seats": 2, "pickup": LES_CORTS.as_dict(), "dropoff": GLORIES.as_dict()}
    assert post_json(bob_client, f"/offers/{offer.pk}/bookings", body).status_code == 201

    response = post_json(charlie_client, f"/offers/{offer.pk}/bookings", body)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_seats"
    offer.refresh_from_db()
    assert offer.seats_left == 1


def test_a_pickup_far_off_the_route_is_refused(offer: Offer, bob_client: Client) -> None:
    response = post_json(
        bob_client,
        f"/offers/{offer.pk}/bookings",
        {"seats": 1, "pickup": {"lat": 41.30, "lng": 2.05}, "dropoff": GLORIES.as_dict()},
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_a_match"


def test_on_approval_the_driver_accepts_or_declines_and_nobody_else_can(
    alice: User,
    bob_client: Client,
    charlie_client: Client,
    alice_client: Client,
    fake_stripe: FakeStripe,
) -> None:
    offer = make_offer(alice, instant_booking=False)
    body = {"seats": 1, "pickup": LES_CORTS.as_dict(), "dropoff": GLORIES.as_dict()}
    booking = post_json(bob_client, f"/offers/{offer.pk}/bookings", body).json()
    assert booking["status"] == "requested"

    refused = post_json(charlie_client, f"/bookings/{booking['id']}/accept")
    by_passenger = post_json(bob_client, f"/bookings/{booking['id']}/accept")
    declined = post_json(alice_client, f"/bookings/{booking['id']}/decline")

    assert refused.status_code == 404
    assert by_passenger.status_code == 403
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    assert declined.json()["code"] is None  # the driver never sees the passenger's code
    offer.refresh_from_db()
    assert offer.seats_left == offer.seats
    assert fake_stripe.cancelled == list(fake_stripe.intents)


def test_cancelling_gives_the_seats_back_and_releases_the_hold(
    offer: Offer, bob_client: Client, fake_stripe: FakeStripe
) -> None:
    body = {"seats": 3, "pickup": LES_CORTS.as_dict(), "dropoff": GLORIES.as_dict()}
    booking = post_json(bob_client, f"/offers/{offer.pk}/bookings", body).json()

    response = post_json(bob_client, f"/bookings/{booking['id']}/cancel")
    again = post_json(bob_client, f"/bookings/{booking['id']}/cancel")

    assert response.json()["status"] == "cancelled"
    assert again.status_code == 409
    offer.refresh_from_db()
    assert offer.seats_left == 3
    assert len(fake_stripe.cancelled) == 1


def test_the_trip_goes_live_and_the_code_completes_it_and_captures_the_payment(
    offer: Offer, bob: User, alice_client: Client, bob_client: Client, fake_stripe: FakeStripe
) -> None:
    body = {"seats": 1, "pickup": LES_CORTS.as_dict(), "dropoff": GLORIES.as_dict()}
    booking = post_json(bob_client, f"/offers/{offer.pk}/bookings", body).json()
    stripe_authorises(fake_stripe, booking["id"])
    too_early = post_json(
        bob_client, f"/bookings/{booking['id']}/complete", {"code": booking["code"]}
    )
    for status in ("boarding", "under_way"):
        response = post_json(alice_client, f"/offers/{offer.pk}/status", {"status": status})
        assert response.json()["status"] == status
    wrong = post_json(bob_client, f"/bookings/{booking['id']}/complete", {"code": "000000x"})

    done = post_json(alice_client, f"/bookings/{booking['id']}/complete", {"code": booking["code"]})

    assert too_early.status_code == 409
    assert wrong.json()["error"]["code"] == "wrong_code"
    assert done.json()["status"] == "completed"
    assert fake_stripe.captured == [(next(iter(fake_stripe.intents)), booking["price_cents"])]
    kinds = set(Notification.objects.filter(recipient=bob).values_list("kind", flat=True))
    assert {"rides.trip_status", "rides.booking_completed"} <= kinds
    co2 = bob_client.get(f"{API}/co2").json()
    assert co2["mine_grams"] == co2["coop_grams"] > 0


def test_only_the_driver_moves_the_trip_along_and_only_forward(
    offer: Offer, bob_client: Client, alice_client: Client
) -> None:
    assert (
        post_json(bob_client, f"/offers/{offer.pk}/status", {"status": "boarding"}).status_code
        == 403
    )
    skipped = post_json(alice_client, f"/offers/{offer.pk}/status", {"status": "done"})
    assert skipped.status_code == 409
    assert skipped.json()["error"]["code"] == "invalid_transition"


def test_a_driver_cancelling_the_ride_cancels_its_bookings(
    offer: Offer, bob: User, bob_client: Client, alice_client: Client
) -> None:
    body = {"seats": 1, "pickup": LES_CORTS.as_dict(), "dropoff": GLORIES.as_dict()}
    post_json(bob_client, f"/offers/{offer.pk}/bookings", body)

    response = post_json(alice_client, f"/offers/{offer.pk}/status", {"status": "cancelled"})

    assert response.json()["status"] == "cancelled"
    assert Booking.objects.get(offer=offer).status == BookingStatus.CANCELLED


def test_chat_is_for_the_driver_and_passengers_only(
    offer: Offer, bob_client: Client, charlie_client: Client, alice_client: Client
) -> None:
    body = {"seats": 1, "pickup": LES_CORTS.as_dict(), "dropoff": GLORIES.as_dict()}
    post_json(bob_client, f"/offers/{offer.pk}/bookings", body)

    said = post_json(bob_client, f"/offers/{offer.pk}/messages", {"body": "I'll be at the corner"})
    refused = post_json(charlie_client, f"/offers/{offer.pk}/messages", {"body": "Hi"})
    seen = alice_client.get(f"{API}/offers/{offer.pk}/messages").json()

    assert said.status_code == 201
    assert refused.status_code == 403
    assert [m["body"] for m in seen] == ["I'll be at the corner"]
    assert charlie_client.get(f"{API}/offers/{offer.pk}/messages").status_code == 404


def test_a_saved_search_is_notified_when_a_matching_ride_is_posted(
    bob: User, bob_client: Client, alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    alert = post_json(
        bob_client, "/alerts", {"origin": LES_CORTS.as_dict(), "destination": GLORIES.as_dict()}
    )
    assert alert.status_code == 201

    with django_capture_on_commit_callbacks(execute=True):
        post_json(alice_client, "/offers", offer_body())
        post_json(alice_client, "/offers", offer_body(origin=GLORIES.as_dict() | {"label": "G"}))

    assert Notification.objects.filter(recipient=bob, kind="rides.alert_match").count() == 1


def test_a_time_of_day_with_an_utc_offset_is_refused_not_stored(bob_client: Client) -> None:
    body = {"origin": LES_CORTS.as_dict(), "destination": GLORIES.as_dict()}

    response = post_json(bob_client, "/alerts", body | {"earliest_time": "08:00:00+01:00"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert any("earliest_time" in name for name in error["fields"])


def test_a_commute_creates_its_rides_for_the_coming_weeks(alice_client: Client) -> None:
    response = post_json(
        alice_client,
        "/commutes",
        {
            "origin": {**ZONA_UNIVERSITARIA.as_dict(), "label": "Zona Universitària"},
            "destination": {**POBLENOU.as_dict(), "label": "Poblenou"},
            "weekdays": [1, 2, 3, 4, 5],
            "departure_time": "08:15",
            "until": str(timezone.localdate() + timedelta(days=60)),
            "seats": 2,
        },
    )

    assert response.status_code == 201, response.content
    offers = Offer.objects.filter(pk__in=response.json()["offers"])
    assert 9 <= offers.count() <= 11
    assert all(timezone.localtime(o.departs_at).isoweekday() <= 5 for o in offers)


def test_anonymous_callers_are_asked_to_sign_in(client: Client) -> None:
    assert client.get(f"{API}/offers").status_code == 401


def test_the_board_gets_a_commuter_pool_proposal_and_members_do_not(
    alice: User,
    bob: User,
    board_client: Client,
    charlie_client: Client,
    settings: Any,
) -> None:
    settings.BOARD_MFA_REQUIRED = False
    offer = make_offer(alice, seats=1)
    services.alert_create(member=bob, origin=LES_CORTS, destination=GLORIES, label="To work")
    query = {
        "depart_after": tomorrow_at(6).isoformat(),
        "depart_before": tomorrow_at(11).isoformat(),
    }

    proposal = board_client.get(f"{API}/pools", query)
    refused = charlie_client.get(f"{API}/pools", query)

    assert proposal.status_code == 200, proposal.content
    (place,) = proposal.json()
    assert place["offer"]["id"] == offer.pk
    assert place["member"]["display_name"] == "Bob"
    assert place["explanation"]["pool"]["slug"] == "rides.commuter-pool"
    assert place["explanation"]["pool"]["car_detour_km"] >= 0
    assert place["explanation"]["pool"]["stop_order"][0]["kind"] == "pickup"
    assert refused.status_code == 403


def test_the_board_books_a_pool_and_each_passenger_pays_as_usual(
    alice: User,
    bob: User,
    charlie: User,
    board_client: Client,
    charlie_client: Client,
    *,
    settings: Any,
) -> None:
    settings.BOARD_MFA_REQUIRED = False
    offer = make_offer(alice, seats=1)
    services.alert_create(member=bob, origin=LES_CORTS, destination=GLORIES, label="To work")
    services.alert_create(member=charlie, origin=LES_CORTS, destination=GLORIES, label="Work")
    window = {
        "depart_after": tomorrow_at(6).isoformat(),
        "depart_before": tomorrow_at(11).isoformat(),
    }

    refused = post_json(charlie_client, "/pools/bookings", window)
    booked = post_json(board_client, "/pools/bookings", window)
    again = post_json(board_client, "/pools/bookings", window)

    assert refused.status_code == 403
    assert booked.status_code == 200, booked.content
    (booking,) = booked.json()["bookings"]
    assert booking["paid"] is False
    assert booking["pay_by"] is not None
    passenger = Booking.objects.get(pk=booking["id"]).passenger
    assert Notification.objects.filter(recipient=passenger, kind="rides.pool_seat").exists()
    offer.refresh_from_db()
    assert offer.seats_left == 0  # one seat, one passenger: never oversold
    assert again.json() == {"bookings": [], "skipped": []}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"seats": 0}, "seats"),
        ({"seats": 9}, "seats"),
        ({"pickup": {"lat": 200, "lng": 2.1}}, "pickup.lat"),
        ({"dropoff": {"lat": 41.4}}, "dropoff.lng"),
    ],
)
def test_bad_bookings_get_a_clear_400(
    offer: Offer, bob_client: Client, body: dict[str, Any], field: str
) -> None:
    full = {"seats": 1, "pickup": LES_CORTS.as_dict(), "dropoff": GLORIES.as_dict(), **body}

    response = post_json(bob_client, f"/offers/{offer.pk}/bookings", full)

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_the_matching_and_pool_algorithms_are_published_with_live_values(
    bob_client: Client,
) -> None:
    published = {a["slug"]: a for a in bob_client.get("/api/v1/algorithms").json()}

    matcher = published["rides.detour-matching"]
    values = {p["key"]: p["value"] for p in matcher["parameters"]}
    assert "rides.commuter-pool" in published
    assert "Score" in matcher["description"]
    assert values["rides.max_detour_percent"] == 33
    assert values["rides.road_factor_basis_points"] == 13000


def test_the_ride_list_and_my_bookings_cost_the_same_with_many_rows(
    alice: User, bob: User, bob_client: Client, django_assert_max_num_queries: Any
) -> None:
    for minutes in range(0, 60, 5):
        offer = make_offer(alice, departs_at=tomorrow_at(9, minutes))
        services.booking_request(
            passenger=bob, offer=offer, seats=1, pickup=LES_CORTS, dropoff=GLORIES
        )

    with django_assert_max_num_queries(5):
        rides = bob_client.get(f"{API}/offers").json()
    with django_assert_max_num_queries(5):
        bookings = bob_client.get(f"{API}/bookings").json()

    assert len(rides["results"]) == 12
    assert len(bookings["results"]) == 12


def test_the_quote_publishes_the_formula_and_the_cap_the_offer_uses(alice_client: Client) -> None:
    quote = alice_client.get(
        f"{API}/offers/quote",
        {
            "origin": str(ZONA_UNIVERSITARIA),
            "destination": str(POBLENOU),
            "seats": "3",
        },
    ).json()
    offer = post_json(alice_client, "/offers", offer_body()).json()

    assert quote["price_cap_cents"] == offer["price_cap_cents"]
    assert quote["cost_per_km_cents"] == 20
    # road km x 20 cents, shared among the driver and 3 seats, rounded down to the cent
    assert 0 <= quote["distance_km"] * 20 / 4 - quote["price_cap_cents"] < 1.1
    assert "cost per km" in quote["formula"]


def test_only_people_on_the_ride_see_the_stops_on_the_way_exactly(
    alice: User, alice_client: Client, charlie_client: Client
) -> None:
    school = Point(41.3968, 2.1595)
    offer = make_offer(alice, waypoints=[services.Place(school, "School")])

    own = alice_client.get(f"/api/v1/rides/offers/{offer.pk}").json()["waypoints"][0]
    other = charlie_client.get(f"/api/v1/rides/offers/{offer.pk}").json()["waypoints"][0]

    assert (own["lat"], own["lng"], own["label"]) == (school.lat, school.lng, "School")
    assert other["label"] == "School"
    assert 0.099 <= distance_km(school, Point(other["lat"], other["lng"])) <= 0.301


def test_a_late_cancellation_pays_the_driver_the_published_share(
    alice: User, bob_client: Client, fake_stripe: FakeStripe
) -> None:
    # Departure in an hour: inside the default 2-hour window, so half the price is captured.
    offer = make_offer(alice, departs_at=timezone.now() + timedelta(hours=1), instant_booking=True)
    body = {"seats": 1, "pickup": LES_CORTS.as_dict(), "dropoff": GLORIES.as_dict()}
    booking = post_json(bob_client, f"/offers/{offer.pk}/bookings", body).json()
    stripe_authorises(fake_stripe, booking["id"])

    response = post_json(bob_client, f"/bookings/{booking['id']}/cancel")

    assert response.json()["status"] == "cancelled"
    intent = next(iter(fake_stripe.intents))
    half = (booking["price_cents"] * 5000 + 5000) // 10000
    assert fake_stripe.captured == [(intent, half)]
    assert fake_stripe.cancelled == []


def test_an_early_cancellation_or_a_driver_cancellation_charges_nothing(
    alice: User, alice_client: Client, bob_client: Client, fake_stripe: FakeStripe
) -> None:
    soon = make_offer(alice, departs_at=timezone.now() + timedelta(hours=1), instant_booking=True)
    later = make_offer(alice, departs_at=timezone.now() + timedelta(hours=5), instant_booking=True)
    body = {"seats": 1, "pickup": LES_CORTS.as_dict(), "dropoff": GLORIES.as_dict()}
    by_driver = post_json(bob_client, f"/offers/{soon.pk}/bookings", body).json()
    early = post_json(bob_client, f"/offers/{later.pk}/bookings", body).json()

    post_json(alice_client, f"/bookings/{by_driver['id']}/cancel")
    post_json(bob_client, f"/bookings/{early['id']}/cancel")

    assert fake_stripe.captured == []
    assert len(fake_stripe.cancelled) == 2
