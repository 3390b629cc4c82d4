"""Background work on notifications."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from coop.notifications import services
from coop.scheduler.registry import periodic


@periodic(every=timedelta(days=1))
@task()
def notifications_prune() -> int:
    """Delete read notifications older than 90 days; unread ones stay until they are read."""
    return services.notification_prune_read(older_than=timezone.now() - services.READ_RETENTION)
