from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.test import Client
from django.urls import reverse

from coop.members.models import User
from coop.notifications.models import Notification
from coop.notifications.tests.factories import NotificationFactory

LIST_URL = reverse("notifications:list")


def _is_marked_unread(html: str, pk: int) -> bool:
    start = html.index(f'id="notification-{pk}"')
    return html[start : html.index(">", start)].endswith(" data-unread")


def test_the_page_asks_anonymous_visitors_to_log_in(db: None) -> None:
    response = Client().get(LIST_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_page_shows_my_notifications_with_unread_ones_highlighted(
    alice_client: Client, alice: User, bob: User
) -> None:
    unread = NotificationFactory.create(
        recipient=alice, title="Bob wants to borrow your drill", url="/lending/reservations/3/"
    )
    read = NotificationFactory.create(
        recipient=alice, title="Your stay is confirmed", read_at=datetime(2030, 1, 1, tzinfo=UTC)
    )
    NotificationFactory.create(recipient=bob, title="Something only Bob sees")

    response = alice_client.get(LIST_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Bob wants to borrow your drill" in html
    assert 'href="/lending/reservations/3/"' in html
    assert "Your stay is confirmed" in html
    assert "Something only Bob sees" not in html
    assert _is_marked_unread(html, unread.pk)
    assert not _is_marked_unread(html, read.pk)
    assert reverse("notifications:mark_read", args=[unread.pk]) in html
    assert reverse("notifications:mark_read", args=[read.pk]) not in html
    assert reverse("notifications:mark_all_read") in html
    assert "csrfmiddlewaretoken" in html


def test_the_page_says_when_there_is_nothing(alice_client: Client) -> None:
    response = alice_client.get(LIST_URL)

    assert response.status_code == 200
    assert "No notifications yet" in response.content.decode()
    assert reverse("notifications:mark_all_read") not in response.content.decode()


def test_the_page_costs_the_same_for_many_notifications(
    alice_client: Client, alice: User, django_assert_max_num_queries: Any
) -> None:
    NotificationFactory.create_batch(40, recipient=alice)

    # Session, user, unread badge count, page count, one page of rows.
    with django_assert_max_num_queries(5):
        response = alice_client.get(LIST_URL)

    assert response.status_code == 200
    assert response.content.decode().count(" data-unread>") == 30
    assert "Page 1 of 2" in response.content.decode()


def test_mark_all_as_read_marks_everything_and_returns_to_the_list(
    alice_client: Client, alice: User
) -> None:
    NotificationFactory.create_batch(3, recipient=alice)

    response = alice_client.post(reverse("notifications:mark_all_read"), follow=True)

    assert response.redirect_chain == [(LIST_URL, 302)]
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    assert "Marked 3 notifications as read." in response.content.decode()


def test_mark_one_as_read_returns_to_the_page_it_came_from(
    alice_client: Client, alice: User
) -> None:
    notification = NotificationFactory.create(recipient=alice)

    response = alice_client.post(
        reverse("notifications:mark_read", args=[notification.pk]), {"next": f"{LIST_URL}?page=2"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{LIST_URL}?page=2"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_it_never_redirects_to_another_site(alice_client: Client, alice: User) -> None:
    response = alice_client.post(
        reverse("notifications:mark_all_read"), {"next": "https://evil.example/"}
    )

    assert response["Location"] == LIST_URL


def test_charlie_cannot_mark_alices_notification_read(charlie_client: Client, alice: User) -> None:
    notification = NotificationFactory.create(recipient=alice)

    response = charlie_client.post(reverse("notifications:mark_read", args=[notification.pk]))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_read_needs_a_post(alice_client: Client, alice: User) -> None:
    notification = NotificationFactory.create(recipient=alice)

    response = alice_client.get(reverse("notifications:mark_read", args=[notification.pk]))

    assert response.status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_marking_read_needs_the_csrf_token(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    NotificationFactory.create(recipient=alice)

    response = client.post(reverse("notifications:mark_all_read"))

    assert response.status_code == 403
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
