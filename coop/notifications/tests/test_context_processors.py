from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from coop.members.models import User
from coop.notifications.context_processors import notifications
from coop.notifications.tests.factories import NotificationFactory


def test_it_counts_my_unread_notifications_in_one_query(
    alice: User, bob: User, django_assert_num_queries: Any
) -> None:
    NotificationFactory.create_batch(2, recipient=alice)
    NotificationFactory.create(recipient=alice, read_at=datetime(2030, 1, 1, tzinfo=UTC))
    NotificationFactory.create(recipient=bob)
    request = RequestFactory().get("/")
    request.user = alice

    with django_assert_num_queries(1):
        context = notifications(request)

    assert context == {"unread_notifications_count": 2}


def test_it_adds_nothing_for_anonymous_visitors(db: None, django_assert_num_queries: Any) -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    with django_assert_num_queries(0):
        assert notifications(request) == {}


def test_it_adds_nothing_when_there_is_no_user_at_all() -> None:
    assert notifications(RequestFactory().get("/")) == {}
