from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from coop.members.models import User
from coop.notifications.models import Notification
from coop.notifications.tests.factories import NotificationFactory

URL = "/api/v1/notifications"


def _at(minutes: int) -> datetime:
    return datetime(2030, 3, 1, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes)


def test_it_lists_my_notifications_newest_first(
    alice_client: Client, alice: User, bob: User
) -> None:
    older = NotificationFactory.create(recipient=alice, created_at=_at(0), read_at=_at(5))
    newer = NotificationFactory.create(
        recipient=alice,
        created_at=_at(10),
        kind="stays.booking_request",
        title="A booking request",
        body="",
        url="",
    )
    NotificationFactory.create(recipient=bob, created_at=_at(20))

    response = alice_client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]
    assert body["results"][0] == {
        "id": newer.pk,
        "kind": "stays.booking_request",
        "title": "A booking request",
        "body": "",
        "url": "",
        "created_at": "2030-03-01T09:10:00Z",
        "read_at": None,
    }
    assert body["results"][1]["read_at"] == "2030-03-01T09:05:00Z"


def test_the_list_is_paginated_and_costs_the_same_for_any_length(
    alice_client: Client, alice: User, django_assert_max_num_queries: Any
) -> None:
    for minute in range(25):
        NotificationFactory.create(recipient=alice, created_at=_at(minute))

    # Session, user and one page of rows (fetched with one extra to know about a next page).
    with django_assert_max_num_queries(3):
        first = alice_client.get(URL, {"page_size": 10})
    second = alice_client.get(first.json()["next"])
    last = alice_client.get(URL, {"page_size": 10, "page": 3})

    assert first.status_code == 200
    assert len(first.json()["results"]) == 10
    assert first.json()["next"].endswith(f"{URL}?page_size=10&page=2")
    assert second.json()["results"][0]["created_at"] == "2030-03-01T09:14:00Z"
    assert len(last.json()["results"]) == 5
    assert last.json()["next"] is None


def test_a_page_size_over_the_maximum_is_refused(alice_client: Client) -> None:
    response = alice_client.get(URL, {"page_size": 101})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "page_size" in response.json()["error"]["fields"]


def test_it_counts_my_unread_notifications(alice_client: Client, alice: User, bob: User) -> None:
    NotificationFactory.create_batch(2, recipient=alice)
    NotificationFactory.create(recipient=alice, read_at=_at(0), created_at=_at(0))
    NotificationFactory.create(recipient=bob)

    response = alice_client.get(f"{URL}/unread-count")

    assert response.status_code == 200
    assert response.json() == {"unread_count": 2}


def test_i_can_mark_one_of_my_notifications_read(alice_client: Client, alice: User) -> None:
    notification = NotificationFactory.create(recipient=alice)

    response = alice_client.post(f"{URL}/{notification.pk}/read")
    again = alice_client.post(f"{URL}/{notification.pk}/read")

    assert response.status_code == 200
    assert response.json()["id"] == notification.pk
    assert response.json()["read_at"] is not None
    assert again.status_code == 200
    assert again.json()["read_at"] == response.json()["read_at"]
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_i_can_mark_all_my_notifications_read(alice_client: Client, alice: User, bob: User) -> None:
    NotificationFactory.create_batch(3, recipient=alice)
    bobs = NotificationFactory.create(recipient=bob)

    response = alice_client.post(f"{URL}/read-all")

    assert response.status_code == 200
    assert response.json() == {"marked": 3}
    assert alice_client.post(f"{URL}/read-all").json() == {"marked": 0}
    bobs.refresh_from_db()
    assert bobs.read_at is None


def test_charlie_cannot_read_or_mark_alices_notifications(
    charlie_client: Client, alice: User
) -> None:
    notification = NotificationFactory.create(recipient=alice)

    listing = charlie_client.get(URL)
    marking = charlie_client.post(f"{URL}/{notification.pk}/read")

    assert listing.json()["results"] == []
    assert marking.status_code == 404
    assert marking.json()["error"]["code"] == "not_found"
    notification.refresh_from_db()
    assert notification.read_at is None


def test_an_unknown_notification_is_not_found(alice_client: Client) -> None:
    response = alice_client.post(f"{URL}/999999/read")

    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": "No notification with that id.",
        "fields": {},
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", ""), ("get", "/unread-count"), ("post", "/1/read"), ("post", "/read-all")],
)
def test_it_asks_anonymous_callers_to_sign_in(db: None, method: str, path: str) -> None:
    response = getattr(Client(), method)(f"{URL}{path}")

    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "not_authenticated", "message": "Please sign in first.", "fields": {}}
    }


def test_session_writes_need_the_csrf_token(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    NotificationFactory.create(recipient=alice)

    response = client.post(f"{URL}/read-all")

    assert response.status_code == 403
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_the_endpoints_are_in_the_openapi_document(db: None) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]

    assert {"get"} <= set(paths[URL])
    assert "post" in paths[f"{URL}/{{notification_id}}/read"]
    assert "404" in paths[f"{URL}/{{notification_id}}/read"]["post"]["responses"]
    assert "post" in paths[f"{URL}/read-all"]
