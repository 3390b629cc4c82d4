from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from coop.notifications.selectors import notification_unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    """`unread_notifications_count` for the header badge: one COUNT, only for signed-in users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications_count": notification_unread_count(recipient=user)}
