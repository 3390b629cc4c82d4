from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from coop.geo.points import Point, distance_km
from coop.members.models import User
from lending import selectors, services
from lending.models import Item, Reservation, ReservationStatus
from lending.tests.conftest import ALICE_DOOR, at

pytestmark = pytest.mark.django_db

API = "/api/v1/lending"


def post(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{API}{path}", json.dumps(body or {}), content_type="application/json")


def window(start: int, end: int) -> dict[str, str]:
    return {"starts_at": at(start).isoformat(), "ends_at": at(end).isoformat()}


def test_a_member_lists_an_item_and_sees_its_exact_place(alice_client: Client) -> None:
    response = post(
        alice_client,
        "/items",
        {
            "title": "Tent for four",
            "category": "camping",
            "replacement_value_cents": 20000,
            "deposit_cents": 0,
            "min_hours": 24,
            "max_hours": 168,
            "pickup": {"lat": 41.39, "lng": 2.17},
            "pickup_details": "Carrer Gran de Gràcia 1",
            "checkout_prompts": ["Count the pegs"],
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["pickup"] == {"lat": 41.39, "lng": 2.17}
    assert body["pickup_exact"] is True
    assert body["owner"]["display_name"] == "Alice"


def test_bad_item_input_is_a_400_with_fields(alice_client: Client) -> None:
    response = post(
        alice_client,
        "/items",
        {
            "title": "Tent",
            "category": "boats",
            "min_hours": 5,
            "max_hours": 2,
            "pickup": {"lat": 41.39, "lng": 2.17},
        },
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"category", "max_hours"}


def test_charlie_never_sees_the_exact_pickup_place(drill: Item, charlie_client: Client) -> None:
    detail = charlie_client.get(f"{API}/items/{drill.pk}").json()
    listed = charlie_client.get(f"{API}/items", {"near": "41.40,2.17", "radius_km": "5"}).json()

    for shown in (detail, listed["results"][0]):
        assert shown["pickup_exact"] is False
        assert shown["pickup_details"] is None
        point = Point(shown["pickup"]["lat"], shown["pickup"]["lng"])
        assert 0.09 <= distance_km(point, ALICE_DOOR) <= 0.31
    assert "Mallorca" not in json.dumps(detail) + json.dumps(listed)


def test_an_approved_borrower_sees_the_exact_place(
    drill: Item, alice: User, bob: User, bob_client: Client
) -> None:
    reservation = services.reservation_request(
        borrower=bob, item=drill, starts_at=at(2), ends_at=at(6)
    )
    assert bob_client.get(f"{API}/items/{drill.pk}").json()["pickup_exact"] is False

    services.reservation_approve(actor=alice, reservation=reservation)

    body = bob_client.get(f"{API}/items/{drill.pk}").json()
    assert body["pickup_exact"] is True
    assert body["pickup_details"] == "Carrer de Mallorca 401, 3-2"


def test_search_is_nearest_first_with_distance_and_explanation(
    drill: Item, ladder: Item, bob_client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(8):
        response = bob_client.get(
            f"{API}/items", {"near": "41.3870,2.1700", "radius_km": "10", "q": "ladder drill"}
        )
    assert response.status_code == 200
    assert response.json()["results"] == []  # every word must match

    results = bob_client.get(f"{API}/items", {"near": "41.3870,2.1700", "radius_km": "10"}).json()[
        "results"
    ]
    assert [r["id"] for r in results] == [ladder.pk, drill.pk]
    assert results[0]["distance_km"] <= results[1]["distance_km"]
    assert results[0]["explanation"]["algorithm"]["slug"] == "lending.item_search"
    assert results[0]["explanation"]["rank"] == 1

    tools = bob_client.get(f"{API}/items", {"category": "tools", "q": "drill"}).json()["results"]
    assert [r["id"] for r in tools] == [drill.pk]


def test_a_search_near_a_place_shows_at_most_the_search_limit_nearest_first(
    drill: Item, ladder: Item, bob_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Reading every item of a dense city's circle made this list take seconds (bench/RESULTS.md).
    monkeypatch.setattr(selectors, "SEARCH_LIMIT", 1)
    monkeypatch.setattr(selectors, "SEARCH_MARGIN", 0)

    results = bob_client.get(f"{API}/items", {"near": "41.3870,2.1700", "radius_km": "10"}).json()[
        "results"
    ]

    assert [r["id"] for r in results] == [ladder.pk]


def test_search_by_availability_window_leaves_out_booked_items(
    drill: Item, ladder: Item, bob: User, bob_client: Client
) -> None:
    services.reservation_request(borrower=bob, item=drill, starts_at=at(2), ends_at=at(10))

    busy = bob_client.get(
        f"{API}/items",
        {"available_from": at(4).isoformat(), "available_to": at(8).isoformat()},
    ).json()["results"]
    later = bob_client.get(
        f"{API}/items",
        {"available_from": at(20).isoformat(), "available_to": at(30).isoformat()},
    ).json()["results"]

    assert [r["id"] for r in busy] == [ladder.pk]
    assert {r["id"] for r in later} == {drill.pk, ladder.pk}


def test_search_leaves_out_an_item_whose_buffer_before_the_next_loan_is_in_the_window(
    drill: Item, ladder: Item, bob: User, bob_client: Client
) -> None:
    # The drill keeps 2 hours between loans; Bob has it from hour 10.
    services.reservation_request(borrower=bob, item=drill, starts_at=at(10), ends_at=at(14))

    def found(start: int, end: int) -> set[int]:
        window = {"available_from": at(start).isoformat(), "available_to": at(end).isoformat()}
        return {r["id"] for r in bob_client.get(f"{API}/items", window).json()["results"]}

    # Back at 9: the drill's 2-hour gap would run into Bob's loan at 10.
    assert found(4, 9) == {ladder.pk}
    # Back at 8: the gap ends exactly when Bob's loan starts, as booking allows.
    assert found(4, 8) == {drill.pk, ladder.pk}
    # After Bob's loan and its own buffer (until 16).
    assert found(15, 18) == {ladder.pk}
    assert found(16, 18) == {drill.pk, ladder.pk}


def test_search_refuses_bad_filters(bob_client: Client) -> None:
    assert bob_client.get(f"{API}/items", {"near": "north"}).status_code == 400
    assert bob_client.get(f"{API}/items", {"near": "41,2", "radius_km": "0"}).status_code == 400
    assert bob_client.get(f"{API}/items", {"category": "boats"}).status_code == 400
    response = bob_client.get(
        f"{API}/items", {"available_from": at(8).isoformat(), "available_to": at(4).isoformat()}
    )
    assert response.status_code == 400


def test_a_clash_is_a_409_not_available_with_the_next_free_windows(
    drill: Item, bob_client: Client, charlie_client: Client
) -> None:
    assert post(bob_client, f"/items/{drill.pk}/reservations", window(2, 12)).status_code == 201

    response = post(charlie_client, f"/items/{drill.pk}/reservations", window(4, 8))

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "not_available"
    assert error["next_free_windows"][0] == {"starts_at": at(14).isoformat(), "ends_at": None}
    assert error["fields"]["next_free_windows"] == [f"{at(14).isoformat()}/"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (window(10, 5), "ends_at"),
        (window(10, 10), "ends_at"),
        (window(-30, 5), "starts_at"),
        (window(2, 500), "ends_at"),
        ({"starts_at": "tomorrow", "ends_at": "later"}, "starts_at"),
    ],
)
def test_bad_windows_are_a_clear_400(
    drill: Item, bob_client: Client, body: dict[str, str], field: str
) -> None:
    response = post(bob_client, f"/items/{drill.pk}/reservations", body)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_an_unknown_item_is_a_404(bob_client: Client) -> None:
    assert bob_client.get(f"{API}/items/999999").status_code == 404
    response = post(bob_client, "/items/999999/reservations", window(2, 6))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "item_not_found"


def test_the_lifecycle_over_the_api_and_who_may_do_what(
    drill: Item,
    alice_client: Client,
    bob_client: Client,
    charlie_client: Client,
    frozen_now: Any,
) -> None:
    created = post(bob_client, f"/items/{drill.pk}/reservations", window(2, 12)).json()
    rid = created["id"]
    assert created["status"] == "requested"

    # Charlie cannot even see it; bob cannot approve his own request; alice cannot cancel it.
    assert post(charlie_client, f"/reservations/{rid}/approve").status_code == 404
    assert post(charlie_client, f"/reservations/{rid}/cancel").status_code == 404
    assert post(bob_client, f"/reservations/{rid}/approve").status_code == 403
    assert post(alice_client, f"/reservations/{rid}/approve").json()["status"] == "approved"
    assert post(alice_client, f"/reservations/{rid}/cancel").status_code == 403
    assert post(alice_client, f"/reservations/{rid}/approve").status_code == 409

    frozen_now.move_to(at(2))
    unanswered = post(alice_client, f"/reservations/{rid}/pickup", {"answers": {}})
    assert unanswered.status_code == 400
    assert unanswered.json()["error"]["code"] == "prompts_unanswered"
    picked = post(
        alice_client,
        f"/reservations/{rid}/pickup",
        {"condition_note": "fine", "answers": {"Battery charged?": "yes"}},
    )
    assert picked.json()["status"] == "picked_up"
    assert post(bob_client, f"/reservations/{rid}/cancel").status_code == 409

    returned = post(
        alice_client,
        f"/reservations/{rid}/return",
        {"condition": "good", "answers": {"Bits all back in the case?": "yes"}},
    )
    assert returned.json()["status"] == "closed"

    mine = bob_client.get(f"{API}/reservations").json()["results"]
    theirs = alice_client.get(f"{API}/reservations", {"role": "owner"}).json()["results"]
    assert [r["id"] for r in mine] == [rid] == [r["id"] for r in theirs]
    assert charlie_client.get(f"{API}/reservations").json()["results"] == []


def test_my_reservations_cost_the_same_whatever_their_number(
    drill: Item, ladder: Item, bob: User, bob_client: Client, django_assert_max_num_queries: Any
) -> None:
    for start in range(2, 200, 20):
        services.reservation_request(
            borrower=bob, item=ladder, starts_at=at(start), ends_at=at(start + 5)
        )

    with django_assert_max_num_queries(6):
        response = bob_client.get(f"{API}/reservations")

    assert len(response.json()["results"]) == 10


def test_holds_show_the_members_position(
    drill: Item, bob_client: Client, charlie_client: Client
) -> None:
    assert post(bob_client, f"/items/{drill.pk}/holds").json()["position"] == 1
    assert post(charlie_client, f"/items/{drill.pk}/holds").json()["position"] == 2
    assert post(charlie_client, f"/items/{drill.pk}/holds").status_code == 409
    assert charlie_client.get(f"{API}/holds").json()[0]["position"] == 2


def test_anonymous_callers_are_refused(client: Client, drill: Item) -> None:
    assert client.get(f"{API}/items").status_code == 401
    assert client.get(f"{API}/reservations").status_code == 401


def test_maintenance_is_for_the_owner_only(
    drill: Item, alice_client: Client, bob_client: Client
) -> None:
    assert (
        post(bob_client, f"/items/{drill.pk}/repair", {"out_for_repair": True}).status_code == 403
    )
    body = post(alice_client, f"/items/{drill.pk}/repair", {"out_for_repair": True}).json()
    assert body["out_for_repair"] is True
    assert body["reservable"] is False
    refused = post(bob_client, f"/items/{drill.pk}/reservations", window(2, 6))
    assert refused.status_code == 409


def test_the_algorithms_are_published(client: Client) -> None:
    slugs = {a["slug"] for a in client.get("/api/v1/algorithms").json()}
    assert {"lending.item_search", "lending.collective_purchase"} <= slugs


def test_reservations_stay_unchanged_after_a_refused_request(drill: Item, bob: User) -> None:
    assert Reservation.objects.filter(status=ReservationStatus.REQUESTED).count() == 0
