"""Reads of notifications. Every read is scoped to the recipient: nobody sees others' news."""

from __future__ import annotations

from django.db.models import QuerySet

from coop.exceptions import NotFound
from coop.members.models import User
from coop.notifications.models import Notification


def notification_list_for(*, recipient: User) -> QuerySet[Notification]:
    """The recipient's notifications, newest first."""
    return Notification.objects.filter(recipient=recipient).order_by("-created_at", "-id")


def notification_unread_count(*, recipient: User) -> int:
    """One COUNT over the (recipient, read_at) index."""
    return Notification.objects.filter(recipient=recipient, read_at__isnull=True).count()


def notification_get_for(*, recipient: User, notification_id: int) -> Notification:
    """The recipient's own notification; NotFound for unknown ids and for other people's."""
    notification = Notification.objects.filter(pk=notification_id, recipient=recipient).first()
    if notification is None:
        raise NotFound("No notification with that id.")
    return notification
