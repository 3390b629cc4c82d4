"""Owners edit their items' details on a page and through the API."""

from __future__ import annotations

import pytest
from django.test import Client

from coop.members.models import User
from frontend.testing import assert_accessible_page
from lending import services
from lending.models import Item, Reservation
from lending.tests.conftest import at

pytestmark = pytest.mark.django_db
API = "/api/v1/lending"


def _form(item: Item, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": item.title,
        "category": item.category,
        "description": item.description,
        "manual": item.manual,
        "condition": item.condition,
        "replacement_value_euros": "120.00",
        "deposit_euros": "0",
        "min_hours": item.min_hours,
        "max_hours": item.max_hours,
        "buffer_hours": item.buffer_hours,
        "pickup_details": item.pickup_details,
        "checkout_prompts": "\n".join(item.checkout_prompts),
        "checkin_prompts": "\n".join(item.checkin_prompts),
        "safety_check_every_days": "",
    }
    data.update(changes)
    return data


def test_the_owner_edits_an_item_on_its_edit_page(drill: Item, alice_client: Client) -> None:
    url = f"/lending/items/{drill.pk}/edit/"
    html = alice_client.get(url).content.decode()
    assert_accessible_page(html)
    assert 'value="Cordless drill"' in html
    assert "Battery charged?" in html

    response = alice_client.post(
        url,
        _form(drill, title="Cordless drill, 2 batteries", deposit_euros="25.50", buffer_hours=4),
    )

    assert response.status_code == 302
    drill.refresh_from_db()
    assert (drill.title, drill.deposit_cents, drill.buffer_hours) == (
        "Cordless drill, 2 batteries",
        2550,
        4,
    )
    assert drill.checkout_prompts == ["Battery charged?"]


def test_the_edit_page_shows_what_is_wrong(drill: Item, alice_client: Client) -> None:
    response = alice_client.post(
        f"/lending/items/{drill.pk}/edit/", _form(drill, min_hours=10, max_hours=5)
    )

    assert response.status_code == 200
    assert "Between the minimum and 90 days." in response.content.decode()
    drill.refresh_from_db()
    assert drill.max_hours == 48


def test_only_the_owner_edits(drill: Item, charlie_client: Client) -> None:
    assert charlie_client.get(f"/lending/items/{drill.pk}/edit/").status_code == 404
    assert charlie_client.post(f"/lending/items/{drill.pk}/edit/", _form(drill)).status_code == 404
    patched = charlie_client.patch(
        f"{API}/items/{drill.pk}", {"title": "Mine"}, content_type="application/json"
    )
    assert patched.status_code == 403
    assert Item.objects.get(pk=drill.pk).title == "Cordless drill"


def test_the_api_changes_only_the_fields_sent_and_booked_loans_keep_their_gap(
    drill: Item, alice_client: Client, bob: User
) -> None:
    booked = services.reservation_request(borrower=bob, item=drill, starts_at=at(2), ends_at=at(6))

    response = alice_client.patch(
        f"{API}/items/{drill.pk}",
        {"buffer_hours": 6, "safety_check_every_days": 30},
        content_type="application/json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["buffer_hours"], body["title"], body["min_hours"]) == (6, "Cordless drill", 2)
    drill.refresh_from_db()
    assert drill.last_safety_check_on is not None
    assert Reservation.objects.get(pk=booked.pk).blocked_until == at(8)  # the old 2-hour gap


def test_the_api_refuses_bad_edits(drill: Item, alice_client: Client) -> None:
    url = f"{API}/items/{drill.pk}"

    null_title = alice_client.patch(url, {"title": None}, content_type="application/json")
    bad_range = alice_client.patch(url, {"min_hours": 60}, content_type="application/json")

    assert null_title.status_code == 400
    assert "title" in null_title.json()["error"]["fields"]
    assert bad_range.status_code == 400
    assert "max_hours" in bad_range.json()["error"]["fields"]
