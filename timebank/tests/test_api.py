from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client

from coop.geo.points import Point
from coop.members.models import User
from timebank import services
from timebank.models import ExchangeStatus, Post
from timebank.tests.conftest import run_exchange

pytestmark = pytest.mark.django_db

API = "/api/v1/timebank"


def post_json(client: Client, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{API}{path}", data=json.dumps(body or {}), content_type="application/json")


def test_a_member_posts_an_offer_and_others_see_an_approximate_location(
    alice_client: Client, bob_client: Client
) -> None:
    response = post_json(
        alice_client,
        "/posts",
        {
            "kind": "offer",
            "title": "Gardening help",
            "description": "Pruning and planting",
            "category": "gardening",
            "tags": ["Plants"],
            "location": {"lat": 41.39, "lng": 2.17},
        },
    )
    assert response.status_code == 201, response.content
    post = response.json()
    assert post["location"] == {"lat": 41.39, "lng": 2.17}
    assert post["tags"] == ["plants"]

    seen = bob_client.get(f"{API}/posts/{post['id']}").json()
    assert seen["location"] != {"lat": 41.39, "lng": 2.17}


def test_post_list_filters_by_text_category_and_distance_nearest_first(
    alice: User, bob_client: Client
) -> None:
    near = services.post_create(
        author=alice,
        kind="offer",
        title="Bike repairs",
        category="repairs",
        location=Point(41.3874, 2.1686),
    )
    services.post_create(
        author=alice,
        kind="request",
        title="Catalan lessons",
        category="lessons",
        location=Point(41.40, 2.19),
    )
    services.post_create(
        author=alice,
        kind="offer",
        title="Far away repairs",
        category="repairs",
        location=Point(40.4168, -3.7038),
    )

    by_text = bob_client.get(f"{API}/posts", {"q": "catalan"}).json()
    assert [p["title"] for p in by_text["results"]] == ["Catalan lessons"]
    by_category = bob_client.get(f"{API}/posts", {"category": "repairs"}).json()
    assert len(by_category["results"]) == 2
    nearby = bob_client.get(f"{API}/posts", {"near": "41.3874,2.1686", "radius_km": "10"}).json()
    assert nearby["results"][0]["id"] == near.pk
    assert len(nearby["results"]) == 2
    assert nearby["results"][0]["distance_km"] < nearby["results"][1]["distance_km"]
    assert nearby["next"] is None


def test_post_list_rejects_a_bad_point_with_a_400(bob_client: Client) -> None:
    response = bob_client.get(f"{API}/posts", {"near": "north", "radius_km": "5"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_point"


def test_post_list_costs_the_same_number_of_queries_for_many_rows(
    alice: User, bob_client: Client, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        services.post_create(author=alice, kind="offer", title=f"Help {n}", category="care")

    with django_assert_max_num_queries(4):
        response = bob_client.get(f"{API}/posts", {"page_size": "25"})

    assert len(response.json()["results"]) == 25
    assert response.json()["next"]


def test_account_shows_balance_and_limits(alice: User, bob: User, alice_client: Client) -> None:
    services.transfer_create(payer=alice, to_member_id=bob.pk, minutes=45)

    body = alice_client.get(f"{API}/account").json()

    assert body["balance_minutes"] == -45
    assert body["min_balance_minutes"] == -600
    assert body["max_balance_minutes"] == 2400


def test_a_transfer_through_the_api_and_its_ledger(
    alice_client: Client, bob: User, bob_client: Client
) -> None:
    response = post_json(
        alice_client, "/transfers", {"to_member": bob.pk, "minutes": 30, "note": "Thanks"}
    )
    assert response.status_code == 201, response.content

    ledger = bob_client.get(f"{API}/ledger").json()
    assert ledger["results"][0]["amount_minutes"] == 30
    assert ledger["results"][0]["balance_after_minutes"] == 30
    assert ledger["results"][0]["counterparty"]["display_name"] == "Alice"


@pytest.mark.parametrize("minutes", [0, -5, 10**12, 1.5, "abc"])
def test_bad_minutes_are_a_400_never_a_500(alice_client: Client, bob: User, minutes: Any) -> None:
    response = post_json(alice_client, "/transfers", {"to_member": bob.pk, "minutes": minutes})

    assert response.status_code == 400
    assert "minutes" in response.json()["error"]["fields"]


def test_transfer_to_unknown_member_or_yourself_is_a_400(alice: User, alice_client: Client) -> None:
    unknown = post_json(alice_client, "/transfers", {"to_member": 987654, "minutes": 5})
    yourself = post_json(alice_client, "/transfers", {"to_member": alice.pk, "minutes": 5})

    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "unknown_member"
    assert yourself.json()["error"]["code"] == "self_transfer"


def test_a_transfer_over_the_limit_is_a_409_balance_limit(alice_client: Client, bob: User) -> None:
    response = post_json(alice_client, "/transfers", {"to_member": bob.pk, "minutes": 601})

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "balance_limit"
    assert "600 minutes" in error["message"]


def test_charlie_cannot_move_alices_hours(alice: User, bob: User, charlie_client: Client) -> None:
    response = post_json(
        charlie_client, "/transfers", {"to_member": bob.pk, "minutes": 5, "on_behalf_of": alice.pk}
    )

    assert response.status_code == 403


def test_the_full_exchange_lifecycle_over_the_api(
    alice: User, bob: User, alice_client: Client, bob_client: Client, offer: Post
) -> None:
    created = post_json(bob_client, "/exchanges", {"post": offer.pk, "minutes": 60})
    assert created.status_code == 201, created.content
    exchange_id = created.json()["id"]

    assert post_json(bob_client, f"/exchanges/{exchange_id}/accept").status_code == 403
    assert (
        post_json(alice_client, f"/exchanges/{exchange_id}/accept").json()["status"] == "accepted"
    )
    assert (
        post_json(alice_client, f"/exchanges/{exchange_id}/complete").json()["status"]
        == "completed"
    )
    assert post_json(alice_client, f"/exchanges/{exchange_id}/confirm").status_code == 403
    confirmed = post_json(bob_client, f"/exchanges/{exchange_id}/confirm")

    assert confirmed.json()["status"] == ExchangeStatus.CONFIRMED
    assert alice_client.get(f"{API}/account").json()["balance_minutes"] == 60
    again = post_json(bob_client, f"/exchanges/{exchange_id}/confirm")
    assert again.status_code == 409
    endorsed = post_json(bob_client, f"/exchanges/{exchange_id}/endorsements", {"text": "Great"})
    assert endorsed.status_code == 201
    profile = bob_client.get(f"{API}/members/{alice.pk}").json()
    assert profile["endorsements"][0]["text"] == "Great"
    assert profile["exchanges_confirmed"] == 1


def test_charlie_cannot_see_or_act_on_someone_elses_exchange(
    bob: User, charlie_client: Client, offer: Post
) -> None:
    exchange = run_exchange(offer, bob, 60, until="completed")

    assert charlie_client.get(f"{API}/exchanges/{exchange.pk}").status_code == 404
    assert post_json(charlie_client, f"/exchanges/{exchange.pk}/confirm").status_code == 404


def test_exchange_on_unknown_post_is_a_404(bob_client: Client) -> None:
    assert post_json(bob_client, "/exchanges", {"post": 4242, "minutes": 5}).status_code == 404


def test_dispute_and_board_resolution_over_the_api(
    alice_client: Client, bob: User, board_client: Client, bob_client: Client, offer: Post
) -> None:
    exchange = run_exchange(offer, bob, 60, until="completed")

    disputed = post_json(bob_client, f"/exchanges/{exchange.pk}/dispute", {"reason": "Not done"})
    assert disputed.json()["status"] == "disputed"
    assert (
        post_json(
            alice_client, f"/exchanges/{exchange.pk}/resolve", {"outcome": "confirm"}
        ).status_code
        == 403
    )
    resolved = post_json(board_client, f"/exchanges/{exchange.pk}/resolve", {"outcome": "cancel"})

    assert resolved.json()["status"] == "cancelled"


def test_ledger_export_as_csv_and_json_and_the_board_export(
    alice: User, bob: User, alice_client: Client, board_client: Client
) -> None:
    services.transfer_create(payer=alice, to_member_id=bob.pk, minutes=30, note="=SUM(A1)")

    as_csv = alice_client.get(f"{API}/ledger/export", {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode())))
    assert rows[0]["amount_minutes"] == "30"
    assert rows[0]["my_change_minutes"] == "-30"
    assert rows[0]["note"] == "'=SUM(A1)"
    as_json = alice_client.get(f"{API}/ledger/export", {"format": "json"}).json()
    assert as_json["transfers"][0]["balance_after_minutes"] == -30

    assert alice_client.get(f"{API}/bank/export").status_code == 403
    whole = board_client.get(f"{API}/bank/export", {"format": "json"}).json()
    assert len(whole["transfers"]) == 1


def test_the_chore_rota_is_published_with_explanations(
    board: User, board_client: Client, alice_client: Client
) -> None:
    created = post_json(board_client, "/chores", {"title": "Recycling point", "minutes": 60})
    assert created.status_code == 201, created.content
    assert post_json(alice_client, "/chores", {"title": "X", "minutes": 60}).status_code == 403

    candidates = board_client.get(f"{API}/chores/{created.json()['id']}/candidates").json()

    assert candidates[0]["explanation"]["algorithm"]["slug"] == "timebank-chore-rota"
    assert "chore_minutes_done" in candidates[0]["explanation"]
    slugs = [a["slug"] for a in alice_client.get("/api/v1/algorithms").json()]
    assert "timebank-chore-rota" in slugs


def test_the_api_needs_a_signed_in_member(client: Client) -> None:
    assert client.get(f"{API}/account").status_code == 401


def test_a_coordinator_records_a_whole_exchange_for_an_offline_member(
    alice: User, bob: User, board: User, alice_client: Client, offer: Post
) -> None:
    from coop.members.tests.factories import MemberFactory  # noqa: PLC0415
    from timebank.models import CoordinatorAction  # noqa: PLC0415

    coordinator = MemberFactory.create()
    services.coordinator_appoint(board=board, member_id=coordinator.pk)
    client = Client()
    client.force_login(coordinator)

    created = post_json(
        client, "/exchanges", {"post": offer.pk, "minutes": 60, "on_behalf_of": bob.pk}
    )
    assert created.status_code == 201, created.content
    exchange_id = created.json()["id"]
    post_json(alice_client, f"/exchanges/{exchange_id}/accept")
    post_json(alice_client, f"/exchanges/{exchange_id}/complete")
    confirmed = post_json(client, f"/exchanges/{exchange_id}/confirm?on_behalf_of={bob.pk}")

    assert confirmed.json()["status"] == "confirmed"
    actions = CoordinatorAction.objects.filter(member=bob, coordinator=coordinator)
    assert sorted(actions.values_list("action", flat=True)) == [
        "exchange_confirm",
        "exchange_request",
    ]
    movement = client.get(f"{API}/ledger").json()
    assert movement["results"] == []  # the coordinator's own ledger is untouched
    bob_client = Client()
    bob_client.force_login(bob)
    bob_ledger = bob_client.get(f"{API}/ledger").json()["results"]
    assert bob_ledger[0]["recorded_by"]["id"] == coordinator.pk


def test_a_coordinator_cannot_act_for_a_member_outside_the_exchange(
    bob: User, charlie: User, board: User, board_client: Client, offer: Post
) -> None:
    exchange = run_exchange(offer, bob, 60, until="completed")

    response = post_json(
        board_client, f"/exchanges/{exchange.pk}/confirm?on_behalf_of={charlie.pk}"
    )

    assert response.status_code == 404


def test_posts_can_be_found_by_tag_and_closed_by_their_author_only(
    alice_client: Client, bob_client: Client, offer: Post
) -> None:
    found = bob_client.get(f"{API}/posts", {"q": "BIKE"}).json()["results"]
    assert [p["id"] for p in found] == [offer.pk]

    assert post_json(bob_client, f"/posts/{offer.pk}/close").status_code == 403
    assert post_json(alice_client, f"/posts/{offer.pk}/close").json()["is_active"] is False
    assert bob_client.get(f"{API}/posts").json()["results"] == []


def test_my_lists_cost_a_fixed_number_of_queries(
    alice: User, bob: User, alice_client: Client, offer: Post, django_assert_max_num_queries: Any
) -> None:
    for _ in range(12):
        run_exchange(offer, bob, 10)
        services.transfer_create(payer=bob, to_member_id=alice.pk, minutes=5)

    with django_assert_max_num_queries(5):
        exchanges = alice_client.get(f"{API}/exchanges").json()
    with django_assert_max_num_queries(5):
        ledger = alice_client.get(f"{API}/ledger").json()

    assert len(exchanges["results"]) == 12
    assert len(ledger["results"]) == 20
    assert ledger["next"]
