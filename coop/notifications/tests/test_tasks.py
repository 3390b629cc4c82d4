from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from coop.members.models import User
from coop.notifications.models import Notification
from coop.notifications.tasks import notifications_prune
from coop.notifications.tests.factories import NotificationFactory
from coop.scheduler.registry import registered_jobs

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


def test_notifications_prune_runs_daily_through_the_scheduler() -> None:
    job = registered_jobs()[notifications_prune.module_path]

    assert job.every == timedelta(days=1)


def test_notifications_prune_deletes_read_notifications_after_90_days(
    alice: User, bob: User
) -> None:
    old = NOW - timedelta(days=90, minutes=1)
    stale = NotificationFactory.create(
        recipient=alice, created_at=old, read_at=old + timedelta(hours=1)
    )
    unread_but_old = NotificationFactory.create(recipient=alice, created_at=old)
    fresh_read = NotificationFactory.create(
        recipient=bob, created_at=NOW - timedelta(days=89), read_at=NOW - timedelta(days=1)
    )

    with time_machine.travel(NOW, tick=False):
        result = notifications_prune.enqueue()

    assert result.return_value == 1
    assert set(Notification.objects.values_list("pk", flat=True)) == {
        unread_but_old.pk,
        fresh_read.pk,
    }
    assert not Notification.objects.filter(pk=stale.pk).exists()
