"""What the notification services tell open websockets, and where they send it.

Every member's open sockets (one per tab or device) join the channel-layer group
`member_group_name(user_id)`. The services send two kinds of group messages, always after the
database transaction has committed so a socket never announces a row that was rolled back:

- `notification.created` with `notification` (the JSON payload below);
- `notification.read` when one or all notifications were marked read (the unread count changed).

`NotificationConsumer` turns them into the frames the browser's badge script reads.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

if TYPE_CHECKING:
    from coop.notifications.models import Notification

logger = logging.getLogger(__name__)

NOTIFICATION_CREATED = "notification.created"
NOTIFICATION_READ = "notification.read"


def member_group_name(user_id: int) -> str:
    """The channel-layer group every open socket of one member joins."""
    return f"member.{user_id}"


def notification_payload(notification: Notification) -> dict[str, Any]:
    """The notification as the websocket sends it (JSON- and msgpack-safe: no datetimes)."""
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "url": notification.url,
        "created_at": notification.created_at.isoformat(),
    }


def _group_send(user_id: int, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        logger.warning("No channel layer configured; %s not broadcast.", message["type"])
        return
    async_to_sync(layer.group_send)(member_group_name(user_id), message)


def broadcast_created(user_id: int, payload: dict[str, Any]) -> None:
    _group_send(user_id, {"type": NOTIFICATION_CREATED, "notification": payload})


def broadcast_read(user_id: int) -> None:
    _group_send(user_id, {"type": NOTIFICATION_READ})
