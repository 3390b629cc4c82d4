"""Every write to notifications: sending one, marking read.

Broadcasts to open websockets run on commit (`robust=True`: a channel layer outage is logged,
never turned into an error for the request that sent the notification, whose rows are already
committed). Marking read uses guarded updates (`read_at IS NULL`), so two tabs marking the same
notification at once both succeed and only the first one stamps `read_at`.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from coop.exceptions import InvalidInput, NotFound
from coop.members.models import User
from coop.notifications import events
from coop.notifications.models import (
    BODY_MAX_LENGTH,
    KIND_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    URL_MAX_LENGTH,
    Notification,
)

# Read notifications are history nobody scrolls back to; notifications_prune deletes them.
READ_RETENTION = timedelta(days=90)

_KIND_RE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")


def _on_commit_broadcast_read(user_id: int) -> None:
    # A named function, not a partial: Django logs a failed robust hook by its __qualname__.
    def broadcast_read() -> None:
        events.broadcast_read(user_id)

    transaction.on_commit(broadcast_read, robust=True)


def _validate(*, kind: str, title: str, body: str, url: str) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not _KIND_RE.match(kind) or len(kind) > KIND_MAX_LENGTH:
        problems["kind"] = [
            (
                "A dotted lowercase slug like 'lending.reservation_approved' "
                f"(at most {KIND_MAX_LENGTH} characters)."
            )
        ]
    if not title:
        problems["title"] = ["A title is required."]
    elif len(title) > TITLE_MAX_LENGTH:
        problems["title"] = [f"At most {TITLE_MAX_LENGTH} characters."]
    if len(body) > BODY_MAX_LENGTH:
        problems["body"] = [f"At most {BODY_MAX_LENGTH} characters."]
    if url and (not url.startswith("/") or url[1:2] in {"/", "\\"}):
        problems["url"] = ["A path on this site, starting with a single '/'."]
    elif len(url) > URL_MAX_LENGTH:
        problems["url"] = [f"At most {URL_MAX_LENGTH} characters."]
    return problems


@transaction.atomic
def notification_send(
    *, recipient: User, kind: str, title: str, body: str = "", url: str = ""
) -> Notification:
    """Store a notification for `recipient` and push it to their open sockets once committed."""
    title = " ".join(title.split())
    body = body.strip()
    url = url.strip()
    problems = _validate(kind=kind, title=title, body=body, url=url)
    if problems:
        raise InvalidInput("The notification is not valid.", fields=problems)
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, title=title, body=body, url=url
    )
    payload = events.notification_payload(notification)

    def broadcast_created() -> None:
        events.broadcast_created(recipient.pk, payload)

    transaction.on_commit(broadcast_created, robust=True)
    return notification


@transaction.atomic
def notification_mark_read(*, recipient: User, notification: Notification) -> Notification:
    """Mark one of the recipient's notifications read; marking a read one again changes nothing."""
    if notification.recipient_id != recipient.pk:
        raise NotFound("No notification with that id.")
    now = timezone.now()
    changed = Notification.objects.filter(
        pk=notification.pk, recipient=recipient, read_at__isnull=True
    ).update(read_at=now)
    if changed:
        notification.read_at = now
        _on_commit_broadcast_read(recipient.pk)
    elif notification.read_at is None:
        # Someone else (another tab) marked it first: report their time, not ours.
        notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def notification_mark_all_read(*, recipient: User) -> int:
    """Mark every unread notification of the recipient read; returns how many changed."""
    changed = Notification.objects.filter(recipient=recipient, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if changed:
        _on_commit_broadcast_read(recipient.pk)
    return changed


def notification_prune_read(*, older_than: datetime) -> int:
    """Delete read notifications created before `older_than`; returns how many went."""
    deleted, _ = Notification.objects.filter(
        read_at__isnull=False, created_at__lt=older_than
    ).delete()
    return deleted
