"""The live page of a ride: `/ws/rides/<offer_id>/`, for its driver and passengers.

Protocol:
- Somebody not on the ride (or signed out) is accepted and closed at once with 4403.
- On connect: `{"type": "status", "status": "<scheduled|boarding|under_way|done|cancelled>"}`.
- When the driver moves the trip along: another `status` frame.
- Chat: the client sends `{"type": "message", "body": "..."}`; everybody on the ride gets
  `{"type": "message", "id", "author", "body", "created_at"}`. A refused message comes back
  only to its sender as `{"type": "error", "code", "message"}`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer

from coop.exceptions import DomainError
from coop.members.models import User
from rides.models import Offer

logger = logging.getLogger(__name__)
CLOSE_NOT_ALLOWED = 4403


def ride_group_name(offer_id: int) -> str:
    return f"ride.{offer_id}"


def ride_group_send(offer_id: int, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        logger.warning("No channel layer configured; ride event not broadcast.")
        return
    async_to_sync(layer.group_send)(
        ride_group_name(offer_id), {"type": "ride.event", "event": event}
    )


@database_sync_to_async
def _status_if_on_ride(user: User, offer_id: int) -> str | None:
    from rides import selectors  # noqa: PLC0415

    offer = Offer.objects.filter(pk=offer_id).first()
    if offer is None or not selectors.is_on_ride(user, offer):
        return None
    return offer.status


@database_sync_to_async
def _post(user: User, offer_id: int, body: str) -> None:
    from rides import services  # noqa: PLC0415

    services.message_post(author=user, offer=Offer.objects.get(pk=offer_id), body=body)


class RideConsumer(AsyncJsonWebsocketConsumer):
    user: User | None = None
    offer_id: int = 0
    group_name: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        self.offer_id = int(self.scope["url_route"]["kwargs"]["offer_id"])
        status = None
        if user is not None and user.is_authenticated and user.is_active:
            status = await _status_if_on_ride(user, self.offer_id)
        await self.accept()
        if status is None:
            await self.close(code=CLOSE_NOT_ALLOWED)
            return
        self.user = user
        self.group_name = ride_group_name(self.offer_id)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.send_json({"type": "status", "status": status})

    async def disconnect(self, code: int) -> None:
        if self.group_name is not None:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        if text_data is None:
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or self.user is None:
            return
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        elif content.get("type") == "message":
            try:
                await _post(self.user, self.offer_id, str(content.get("body", "")))
            except DomainError as error:
                await self.send_json(
                    {"type": "error", "code": error.code, "message": error.message}
                )

    async def ride_event(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])
