from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from coop.members.models import User
from frontend.testing import assert_accessible_page
from timebank import rota, services
from timebank.models import ExchangeStatus, Post
from timebank.tests.conftest import run_exchange

pytestmark = pytest.mark.django_db


def test_every_member_page_renders_accessibly(
    alice: User, bob: User, board: User, board_client: Client, offer: Post
) -> None:
    exchange = run_exchange(offer, bob, 60, until="completed")
    services.exchange_dispute(user=bob, exchange=exchange, reason="Too short")
    rota.chore_create(board=board, title="Council minutes", minutes=60)
    pages = [
        reverse("timebank:index"),
        reverse("timebank:index") + "?q=bike&category=repairs&radius_km=5",
        reverse("timebank:post_new"),
        reverse("timebank:post", args=[offer.pk]),
        reverse("timebank:exchanges"),
        reverse("timebank:transfer"),
        reverse("timebank:history"),
        reverse("timebank:profile", args=[alice.pk]),
        reverse("timebank:chores"),
        reverse("timebank:board"),
    ]
    for url in pages:
        response = board_client.get(url)
        assert response.status_code == 200, url
        assert_accessible_page(response.content.decode())


def test_members_browse_posts_and_see_their_balance_on_the_index(
    alice_client: Client, offer: Post
) -> None:
    html = alice_client.get(reverse("timebank:index")).content.decode()

    assert offer.title in html
    assert "My balance" in html


def test_a_member_posts_starts_and_confirms_an_exchange_through_the_pages(
    alice: User, alice_client: Client, bob: User, bob_client: Client
) -> None:
    response = alice_client.post(
        reverse("timebank:post_new"),
        {"kind": "offer", "title": "Sewing", "category": "care", "tags": "clothes, repairs"},
    )
    post = Post.objects.get(title="Sewing")
    assert response.status_code == 302
    assert post.tags == ["clothes", "repairs"]

    bob_client.post(reverse("timebank:post", args=[post.pk]), {"minutes": 30})
    exchange = post.exchanges.get()
    for client, action in (
        (alice_client, "accept"),
        (alice_client, "complete"),
        (bob_client, "confirm"),
    ):
        client.post(reverse("timebank:exchange_action", args=[exchange.pk, action]))

    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.CONFIRMED
    assert services.account_for(alice).balance_minutes == 30


def test_the_transfer_form_shows_the_balance_limit_message(alice_client: Client, bob: User) -> None:
    response = alice_client.post(
        reverse("timebank:transfer"),
        {"form": "transfer", "t-member_number": bob.member_number, "t-minutes": 700},
    )

    assert response.status_code == 200
    assert "600 minutes" in response.content.decode()


def test_charlie_cannot_confirm_someone_elses_exchange_from_the_pages(
    bob: User, charlie_client: Client, offer: Post
) -> None:
    exchange = run_exchange(offer, bob, 60, until="completed")

    response = charlie_client.post(
        reverse("timebank:exchange_action", args=[exchange.pk, "confirm"])
    )

    assert response.status_code == 404


def test_only_the_board_sees_the_board_page_and_export(alice_client: Client) -> None:
    assert alice_client.get(reverse("timebank:board")).status_code == 404
    assert alice_client.get(reverse("timebank:board_export", args=["csv"])).status_code == 404


def test_my_history_exports_as_csv(alice: User, bob: User, alice_client: Client) -> None:
    services.transfer_create(payer=alice, to_member_id=bob.pk, minutes=15)

    response = alice_client.get(reverse("timebank:history_export", args=["csv"]))

    assert response["Content-Type"].startswith("text/csv")
    assert "-15" in response.content.decode()


def test_the_digest_switch_saves_the_opt_out(alice: User, alice_client: Client) -> None:
    alice_client.post(reverse("timebank:index"), {})

    assert services.account_for(alice).weekly_digest is False


def test_a_coordinator_sends_hours_for_an_offline_member_from_the_page(
    alice: User, bob: User, board: User, board_client: Client
) -> None:
    response = board_client.post(
        reverse("timebank:transfer"),
        {
            "form": "transfer",
            "t-payer_number": alice.member_number,
            "t-member_number": bob.member_number,
            "t-minutes": 20,
        },
    )

    assert response.status_code == 302
    assert services.account_for(alice).balance_minutes == -20
    assert services.account_for(board).balance_minutes == 0


def test_a_plain_member_has_no_payer_field(alice_client: Client) -> None:
    html = alice_client.get(reverse("timebank:transfer")).content.decode()

    assert "payer_number" not in html


def test_members_can_still_read_how_it_works(alice_client: Client) -> None:
    html = alice_client.get(reverse("timebank:about")).content.decode()

    assert "An hour is an hour" in html


def test_visitors_and_applicants_get_the_explanation_not_the_service(
    client: Client, applicant: User
) -> None:
    assert "Balances sum to zero" in client.get(reverse("timebank:index")).content.decode()
    client.force_login(applicant)
    assert client.get(reverse("timebank:exchanges")).status_code == 302


def test_the_index_costs_a_fixed_number_of_queries(
    alice: User, bob_client: Client, django_assert_max_num_queries: Any
) -> None:
    for n in range(25):
        services.post_create(author=alice, kind="offer", title=f"Help {n}", category="care")

    with django_assert_max_num_queries(12):
        response = bob_client.get(reverse("timebank:index"))

    assert response.content.decode().count('class="card" id="post-') == 20


def test_the_author_closes_a_post_from_its_page(alice_client: Client, offer: Post) -> None:
    alice_client.post(reverse("timebank:post_close", args=[offer.pk]))

    offer.refresh_from_db()
    assert offer.is_active is False


def test_a_coordinator_records_the_steps_of_a_members_exchange_for_them(
    alice: User, bob: User, board: User, board_client: Client, offer: Post
) -> None:
    # Bob asked for Alice's help by phone; the board member records the rest for them.
    exchange = run_exchange(offer, bob, 90, until="requested")
    page = board_client.get(
        reverse("timebank:coordinate"), {"member_number": str(alice.member_number)}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert_accessible_page(html)
    assert f'name="on_behalf_of" value="{alice.pk}"' in html

    for actor, action in ((alice, "accept"), (alice, "complete"), (bob, "confirm")):
        response = board_client.post(
            reverse("timebank:exchange_action", args=[exchange.pk, action]),
            {"on_behalf_of": actor.pk},
        )
        assert response.status_code == 302

    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.CONFIRMED
    transfer = exchange.transfer
    assert transfer.recorded_by == board
    assert services.account_for(alice).balance_minutes == 90


def test_only_coordinators_may_record_for_others(
    alice: User, bob: User, charlie_client: Client, offer: Post
) -> None:
    exchange = run_exchange(offer, bob, 30, until="requested")

    assert charlie_client.get(reverse("timebank:coordinate")).status_code == 404
    response = charlie_client.post(
        reverse("timebank:exchange_action", args=[exchange.pk, "accept"]),
        {"on_behalf_of": alice.pk},
    )

    assert response.status_code == 404
    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.REQUESTED


def test_a_coordinator_cannot_record_for_someone_outside_the_exchange(
    alice: User, bob: User, charlie: User, board_client: Client, offer: Post
) -> None:
    exchange = run_exchange(offer, bob, 30, until="requested")

    response = board_client.post(
        reverse("timebank:exchange_action", args=[exchange.pk, "accept"]),
        {"on_behalf_of": charlie.pk},
    )

    assert response.status_code == 404
    exchange.refresh_from_db()
    assert exchange.status == ExchangeStatus.REQUESTED


def test_the_coordinator_page_says_when_no_member_has_that_number(board_client: Client) -> None:
    response = board_client.get(reverse("timebank:coordinate"), {"member_number": 99999})

    assert response.status_code == 200
    assert "No member with that number." in response.content.decode()
