"""Each exchange step reaches the other member's open websocket (the real ASGI app)."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from coop.asgi import application
from coop.members.models import User
from timebank import services

TIMEOUT = 3
pytestmark = pytest.mark.django_db(transaction=True)


def _cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def _connected(user: User) -> WebsocketCommunicator:
    cookie = await sync_to_async(_cookie)(user)
    communicator = WebsocketCommunicator(
        application,
        "/ws/notifications/",
        headers=[
            (b"host", b"testserver"),
            (b"origin", b"http://testserver"),
            (b"cookie", cookie.encode()),
        ],
    )
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    return communicator


async def _next_kind(socket: WebsocketCommunicator, prefix: str) -> dict[str, Any]:
    """The next notification whose kind starts with `prefix` (skipping unread counts)."""
    for _ in range(10):
        message = await socket.receive_json_from(timeout=TIMEOUT)
        notification = message.get("notification") or {}
        if str(notification.get("kind", "")).startswith(prefix):
            return dict(notification)
    raise AssertionError(f"no {prefix} notification arrived")


async def test_exchange_steps_are_pushed_to_the_other_member(alice: User, bob: User) -> None:
    post = await sync_to_async(services.post_create)(
        author=alice, kind="offer", title="Guitar lessons", category="lessons"
    )
    alice_socket = await _connected(alice)
    bob_socket = await _connected(bob)
    try:
        exchange = await sync_to_async(services.exchange_request)(
            requester=bob, post=post, minutes=60
        )
        requested = await _next_kind(alice_socket, "timebank.exchange_requested")
        assert "Guitar lessons" in requested["title"]

        await sync_to_async(services.exchange_accept)(user=alice, exchange=exchange)
        accepted = await _next_kind(bob_socket, "timebank.exchange_accepted")
        assert accepted["url"].startswith("/timebank/exchanges/")
    finally:
        await alice_socket.disconnect()
        await bob_socket.disconnect()
