from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.db import transaction

from coop.exceptions import InvalidInput, NotFound
from coop.members.models import User
from coop.notifications import events, services
from coop.notifications.models import Notification
from coop.notifications.tests.factories import NotificationFactory


@pytest.fixture
def group_sends() -> Any:
    """Every channel-layer group message the services send, as (group, message) pairs."""
    sent: list[tuple[str, dict[str, Any]]] = []

    async def record(group: str, message: dict[str, Any]) -> None:
        sent.append((group, message))

    with mock.patch.object(events.get_channel_layer(), "group_send", side_effect=record):
        yield sent


def test_member_group_name_is_per_member() -> None:
    assert events.member_group_name(42) == "member.42"


def test_it_stores_a_notification_and_broadcasts_it_on_commit(
    alice: User, group_sends: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = services.notification_send(
            recipient=alice,
            kind="lending.reservation_approved",
            title="  Bob   approved your reservation ",
            body="Pick up the drill on Saturday.",
            url="/lending/reservations/7/",
        )
        # Nothing leaves the process while the transaction is open.
        assert group_sends == []

    assert len(callbacks) == 1
    notification.refresh_from_db()
    assert notification.recipient == alice
    assert notification.title == "Bob approved your reservation"
    assert notification.read_at is None
    assert group_sends == [
        (
            f"member.{alice.pk}",
            {
                "type": "notification.created",
                "notification": {
                    "id": notification.pk,
                    "kind": "lending.reservation_approved",
                    "title": "Bob approved your reservation",
                    "body": "Pick up the drill on Saturday.",
                    "url": "/lending/reservations/7/",
                    "created_at": notification.created_at.isoformat(),
                },
            },
        )
    ]


def test_it_broadcasts_nothing_when_the_transaction_rolls_back(
    alice: User, group_sends: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    def send_then_fail() -> None:
        with transaction.atomic():
            services.notification_send(recipient=alice, kind="stays.booking_request", title="Hi")
            raise RuntimeError("the surrounding service failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        send_then_fail()

    assert callbacks == []
    assert group_sends == []
    assert not Notification.objects.exists()


def test_a_broken_channel_layer_does_not_fail_the_sender(
    alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        mock.patch.object(
            events.get_channel_layer(), "group_send", side_effect=ConnectionError("redis down")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification = services.notification_send(
            recipient=alice, kind="rides.booking_accepted", title="Seat confirmed"
        )

    assert Notification.objects.filter(pk=notification.pk).exists()


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("kind", {"kind": "Lending Approved"}),
        ("kind", {"kind": ""}),
        ("kind", {"kind": "a." * 40 + "b"}),
        ("title", {"title": "   "}),
        ("title", {"title": "x" * 201}),
        ("body", {"body": "x" * 2001}),
        ("url", {"url": "https://evil.example/"}),
        ("url", {"url": "//evil.example/"}),
        ("url", {"url": "/\\evil.example/"}),
        ("url", {"url": "lending/1/"}),
        ("url", {"url": "/" + "x" * 500}),
    ],
)
def test_it_refuses_an_invalid_notification(
    alice: User, field: str, kwargs: dict[str, str]
) -> None:
    arguments = {"kind": "lending.reservation_approved", "title": "Approved", **kwargs}

    with pytest.raises(InvalidInput) as raised:
        services.notification_send(recipient=alice, **arguments)

    assert list(raised.value.fields) == [field]
    assert not Notification.objects.exists()


def test_marking_read_stamps_the_time_once_and_broadcasts_the_new_count(
    alice: User, group_sends: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    notification = NotificationFactory.create(recipient=alice)
    first = datetime(2030, 5, 1, 10, 0, tzinfo=UTC)

    with time_machine.travel(first, tick=False), django_capture_on_commit_callbacks(execute=True):
        services.notification_mark_read(recipient=alice, notification=notification)
    with (
        time_machine.travel(first + timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        again = services.notification_mark_read(
            recipient=alice, notification=Notification.objects.get(pk=notification.pk)
        )

    assert again.read_at == first
    notification.refresh_from_db()
    assert notification.read_at == first
    # Only the first call changed anything, so only it tells the sockets.
    assert group_sends == [(f"member.{alice.pk}", {"type": "notification.read"})]


def test_a_stale_copy_marked_read_reports_the_first_readers_time(alice: User) -> None:
    notification = NotificationFactory.create(recipient=alice)
    stale_copy = Notification.objects.get(pk=notification.pk)
    services.notification_mark_read(recipient=alice, notification=notification)

    result = services.notification_mark_read(recipient=alice, notification=stale_copy)

    assert result.read_at == notification.read_at


def test_nobody_marks_someone_elses_notification_read(alice: User, charlie: User) -> None:
    notification = NotificationFactory.create(recipient=alice)

    with pytest.raises(NotFound):
        services.notification_mark_read(recipient=charlie, notification=notification)

    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_marks_only_my_unread_ones(
    alice: User,
    bob: User,
    group_sends: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    NotificationFactory.create_batch(3, recipient=alice)
    already_read = NotificationFactory.create(
        recipient=alice, read_at=datetime(2030, 1, 1, tzinfo=UTC)
    )
    bobs = NotificationFactory.create(recipient=bob)

    with django_capture_on_commit_callbacks(execute=True):
        marked = services.notification_mark_all_read(recipient=alice)
    with django_capture_on_commit_callbacks(execute=True):
        marked_again = services.notification_mark_all_read(recipient=alice)

    assert marked == 3
    assert marked_again == 0
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    already_read.refresh_from_db()
    assert already_read.read_at == datetime(2030, 1, 1, tzinfo=UTC)
    bobs.refresh_from_db()
    assert bobs.read_at is None
    assert group_sends == [(f"member.{alice.pk}", {"type": "notification.read"})]


def test_pruning_deletes_only_old_read_notifications(alice: User) -> None:
    now = datetime(2030, 6, 1, tzinfo=UTC)
    old = now - timedelta(days=91)
    old_read = NotificationFactory.create(recipient=alice, created_at=old, read_at=old)
    old_unread = NotificationFactory.create(recipient=alice, created_at=old)
    recent_read = NotificationFactory.create(
        recipient=alice, created_at=now - timedelta(days=10), read_at=now - timedelta(days=9)
    )

    deleted = services.notification_prune_read(older_than=now - services.READ_RETENTION)

    assert deleted == 1
    remaining = set(Notification.objects.values_list("pk", flat=True))
    assert remaining == {old_unread.pk, recent_read.pk}
    assert old_read.pk not in remaining
