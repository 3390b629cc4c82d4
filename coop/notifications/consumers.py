"""The websocket behind the unread badge: `/ws/notifications/`.

Protocol (the frontend's badge script depends on it; change both together):

- Anonymous or inactive users: the socket is accepted and closed at once with code 4401. We
  accept first because a close before the handshake reaches the browser as a bare failure
  without the code, and the script uses 4401 to stop reconnecting.
- On connect the server sends `{"type": "unread_count", "unread_count": N}`.
- A new notification: `{"type": "notification", "unread_count": N, "notification": {"id",
  "kind", "title", "body", "url", "created_at"}}`.
- Something was marked read (in any tab): `{"type": "unread_count", "unread_count": N}`.
- The client may send `{"type": "ping"}` and gets `{"type": "pong"}`; anything else is ignored.
"""

from __future__ import annotations

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from coop.members.models import User
from coop.notifications import selectors
from coop.notifications.events import member_group_name

CLOSE_NOT_AUTHENTICATED = 4401


@database_sync_to_async
def _unread_count(user: User) -> int:
    return selectors.notification_unread_count(recipient=user)


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    user: User | None = None
    group_name: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.accept()
            await self.close(code=CLOSE_NOT_AUTHENTICATED)
            return
        self.user = user
        self.group_name = member_group_name(user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self._send_unread_count()

    async def disconnect(self, code: int) -> None:
        if self.group_name is not None:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        # The client has nothing to tell us but pings; bad JSON must not kill the socket.
        if text_data is None:
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            if self.group_name is not None:
                # Group memberships expire (a day by default); a pinging socket stays subscribed.
                await self.channel_layer.group_add(self.group_name, self.channel_name)
            await self.send_json({"type": "pong"})

    # Group messages (see coop.notifications.events).

    async def notification_created(self, event: dict[str, Any]) -> None:
        assert self.user is not None
        await self.send_json(
            {
                "type": "notification",
                "unread_count": await _unread_count(self.user),
                "notification": event["notification"],
            }
        )

    async def notification_read(self, event: dict[str, Any]) -> None:
        await self._send_unread_count()

    async def _send_unread_count(self) -> None:
        assert self.user is not None
        await self.send_json(
            {"type": "unread_count", "unread_count": await _unread_count(self.user)}
        )
