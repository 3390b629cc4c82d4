"""Notifications in a member's data export; they are deleted when the member leaves."""

from __future__ import annotations

from typing import Any

from coop.members.models import User
from coop.members.privacy_registry import privacy_register
from coop.notifications.models import Notification


def export(member: User) -> dict[str, Any]:
    rows = Notification.objects.filter(recipient=member).order_by("created_at", "pk")
    return {
        "notifications": [
            {
                "kind": row.kind,
                "title": row.title,
                "body": row.body,
                "url": row.url,
                "created_at": row.created_at,
                "read_at": row.read_at,
            }
            for row in rows
        ]
    }


def anonymise(member: User) -> None:
    # Messages addressed to the person only: nobody else reads them, nothing depends on them.
    Notification.objects.filter(recipient=member).delete()


privacy_register(section="notifications", export=export, anonymise=anonymise)
