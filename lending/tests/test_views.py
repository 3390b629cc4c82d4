from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coop.geo.points import Point
from coop.members.models import User
from frontend.testing import assert_accessible_page
from lending import services
from lending.models import Item, Reservation, ReservationStatus, Wanted
from lending.tests.conftest import at

pytestmark = pytest.mark.django_db


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert_accessible_page(html)
    return html


def test_members_browse_and_search_the_library(
    drill: Item, ladder: Item, bob: User, bob_client: Client, django_assert_max_num_queries: Any
) -> None:
    bob.home_lat, bob.home_lng = 41.39, 2.17
    bob.save()

    with django_assert_max_num_queries(10):
        html = page(bob_client, reverse("lending:index") + "?q=drill&radius_km=5")

    assert "Cordless drill" in html
    assert "Aluminium ladder" not in html
    assert "km away" in html


def test_members_search_for_what_is_free_when_they_need_it(
    drill: Item, ladder: Item, bob: User, bob_client: Client
) -> None:
    services.reservation_request(borrower=bob, item=drill, starts_at=at(4), ends_at=at(8))
    local = timezone.localtime(at(5))

    html = page(
        bob_client,
        reverse("lending:index") + f"?available_from={local:%Y-%m-%dT%H:%M}&hours=2",
    )
    later = page(
        bob_client,
        reverse("lending:index") + f"?available_from={local + timedelta(hours=10):%Y-%m-%dT%H:%M}",
    )
    no_start = page(bob_client, reverse("lending:index") + "?hours=3")

    assert "Aluminium ladder" in html
    assert "Cordless drill" not in html
    assert "Cordless drill" in later
    assert "Say from when" in no_start


def test_visitors_get_the_explanation_page(client: Client) -> None:
    html = page(client, reverse("lending:index"))
    assert "How it works" in html


def test_the_item_page_shows_the_calendar_and_hides_the_exact_place_from_charlie(
    drill: Item, bob: User, charlie_client: Client
) -> None:
    services.reservation_request(borrower=bob, item=drill, starts_at=at(2), ends_at=at(6))

    html = page(charlie_client, reverse("lending:item", args=[drill.pk]))

    assert "Mallorca" not in html
    assert "The exact place is shown once your reservation is approved" in html
    assert "Requested" in html  # the busy period on the calendar


def test_a_member_reserves_from_the_item_page(drill: Item, bob: User, bob_client: Client) -> None:
    response = bob_client.post(
        reverse("lending:item", args=[drill.pk]),
        {"starts_at": at(3).strftime("%Y-%m-%dT%H:%M"), "hours": 4},
    )

    reservation = Reservation.objects.get(borrower=bob)
    assert response.status_code == 302
    assert response["Location"] == reverse("lending:loan", args=[reservation.pk])


def test_a_refused_reservation_is_explained_on_the_form(
    drill: Item, bob: User, charlie_client: Client
) -> None:
    services.reservation_request(borrower=bob, item=drill, starts_at=at(2), ends_at=at(6))

    response = charlie_client.post(
        reverse("lending:item", args=[drill.pk]),
        {"starts_at": at(3).strftime("%Y-%m-%dT%H:%M"), "hours": 4},
    )

    assert response.status_code == 200
    assert "not available" in response.content.decode()


def test_checkout_and_checkin_on_the_phone_at_the_door(
    drill: Item, alice: User, bob: User, alice_client: Client, frozen_now: Any
) -> None:
    reservation = services.reservation_request(
        borrower=bob, item=drill, starts_at=at(2), ends_at=at(6)
    )
    url = reverse("lending:loan", args=[reservation.pk])
    assert "Approve" in page(alice_client, url)
    alice_client.post(url, {"action": "approve"})
    frozen_now.move_to(at(2))

    html = page(alice_client, url)
    assert "Battery charged?" in html
    missing = alice_client.post(url, {"action": "pickup", "out-condition_note": "ok"})
    assert missing.status_code == 200
    alice_client.post(url, {"action": "pickup", "out-prompt_0": "yes"})
    assert Reservation.objects.get(pk=reservation.pk).status == ReservationStatus.PICKED_UP

    assert "Bits all back in the case?" in page(alice_client, url)
    alice_client.post(url, {"action": "return", "in-condition": "good", "in-prompt_0": "yes"})
    assert Reservation.objects.get(pk=reservation.pk).status == ReservationStatus.CLOSED


def test_charlie_cannot_open_someone_elses_loan(
    drill: Item, bob: User, charlie_client: Client
) -> None:
    reservation = services.reservation_request(
        borrower=bob, item=drill, starts_at=at(2), ends_at=at(6)
    )
    assert charlie_client.get(reverse("lending:loan", args=[reservation.pk])).status_code == 404
    charlie_client.post(reverse("lending:loan", args=[reservation.pk]), {"action": "cancel"})
    assert Reservation.objects.get(pk=reservation.pk).status == ReservationStatus.REQUESTED


def test_my_items_my_loans_and_wanted_pages(
    drill: Item, bob: User, alice_client: Client, bob_client: Client
) -> None:
    services.reservation_request(borrower=bob, item=drill, starts_at=at(2), ends_at=at(6))

    assert "Cordless drill" in page(alice_client, reverse("lending:my_items"))
    assert "Bob" in page(alice_client, reverse("lending:my_loans"))
    assert "Cordless drill" in page(bob_client, reverse("lending:my_loans"))
    bob.home_lat, bob.home_lng = 41.39, 2.17
    bob.save()
    bob_client.post(reverse("lending:wanted"), {"title": "Tile cutter", "category": "tools"})
    assert Wanted.objects.filter(member=bob, title="Tile cutter").exists()
    assert "Tile cutter" in page(bob_client, reverse("lending:wanted"))


def test_a_member_lists_an_item_from_the_form(alice: User, alice_client: Client) -> None:
    alice.home_lat, alice.home_lng = 41.39, 2.17
    alice.save()
    assert "Exact pickup place" in page(alice_client, reverse("lending:item_new"))

    response = alice_client.post(
        reverse("lending:item_new"),
        {
            "title": "Sewing machine",
            "category": "other",
            "condition": "good",
            "replacement_value_euros": "150.00",
            "deposit_euros": "0",
            "min_hours": 2,
            "max_hours": 48,
            "buffer_hours": 1,
            "checkout_prompts": "Needle in place\nBobbin included",
        },
    )

    item = Item.objects.get(title="Sewing machine")
    assert response.status_code == 302
    assert item.replacement_value_cents == 15000
    assert item.checkout_prompts == ["Needle in place", "Bobbin included"]
    assert item.pickup == Point(41.39, 2.17)


def test_the_board_reviews_a_damage_report_on_the_loan_page(  # noqa: PLR0917 - fixtures
    drill: Item, alice: User, bob: User, alice_client: Client, board_client: Client, frozen_now: Any
) -> None:
    reservation = services.reservation_request(
        borrower=bob, item=drill, starts_at=at(2), ends_at=at(6)
    )
    services.reservation_approve(actor=alice, reservation=reservation)
    frozen_now.move_to(at(2))
    services.reservation_pickup(
        actor=alice, reservation=reservation, answers={"Battery charged?": "y"}
    )
    url = reverse("lending:loan", args=[reservation.pk])
    assert board_client.get(url).status_code == 404  # nothing for the board to review yet
    alice_client.post(
        url, {"action": "return", "in-condition": "worn", "in-prompt_0": "no", "in-damaged": "on"}
    )
    alice_client.post(
        url, {"action": "damage", "description": "Chuck broken", "claimed_euros": "30.00"}
    )

    assert "Board review of the damage report" in page(board_client, url)
    board_client.post(url, {"action": "decide", "awarded_euros": "20.00"})

    reservation.refresh_from_db()
    assert reservation.status == ReservationStatus.CLOSED
    assert reservation.damage_report.awarded_cents == 2000
