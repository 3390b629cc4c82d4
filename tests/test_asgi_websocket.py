"""The notification websocket, driven through the real ASGI application (`coop.asgi`).

Runs on whatever channel layer the settings give: in-memory by default, Redis when REDIS_URL
is set. The tests commit for real (`transaction=True`) because the consumer reads the database
from other threads and the broadcast only happens on commit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client

from coop.asgi import application
from coop.members.models import User
from coop.notifications.models import Notification
from coop.notifications.services import (
    notification_mark_all_read,
    notification_mark_read,
    notification_send,
)

PATH = "/ws/notifications/"
TIMEOUT = 3

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def _empty_channel_layer() -> AsyncIterator[None]:
    layer = get_channel_layer()
    await layer.flush()
    yield
    await layer.flush()


def _session_cookie(user: User) -> str:
    """The cookie a browser holds after signing in (a real session row)."""
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def _communicator(
    user: User | None = None, *, origin: str = "http://testserver"
) -> WebsocketCommunicator:
    headers = [(b"host", b"testserver"), (b"origin", origin.encode())]
    if user is not None:
        cookie = await sync_to_async(_session_cookie)(user)
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, PATH, headers=headers)


async def _connected(user: User) -> WebsocketCommunicator:
    communicator = await _communicator(user)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    return communicator


@sync_to_async
def _send_committed(recipient: User, title: str) -> Notification:
    with transaction.atomic():
        return notification_send(
            recipient=recipient,
            kind="lending.reservation_approved",
            title=title,
            body="Pick it up on Saturday.",
            url="/lending/reservations/1/",
        )


async def test_an_anonymous_connection_is_closed_with_4401(db: None) -> None:
    communicator = await _communicator()

    connected, _ = await communicator.connect(timeout=TIMEOUT)
    closing = await communicator.receive_output(timeout=TIMEOUT)

    assert connected  # accepted only so that the browser sees the close code
    assert closing == {"type": "websocket.close", "code": 4401}
    await communicator.wait()


async def test_an_inactive_member_is_closed_with_4401(alice: User) -> None:
    cookie = await sync_to_async(_session_cookie)(alice)
    await User.objects.filter(pk=alice.pk).aupdate(is_active=False)
    communicator = WebsocketCommunicator(
        application,
        PATH,
        headers=[
            (b"host", b"testserver"),
            (b"origin", b"http://testserver"),
            (b"cookie", cookie.encode()),
        ],
    )

    await communicator.connect(timeout=TIMEOUT)

    assert await communicator.receive_output(timeout=TIMEOUT) == {
        "type": "websocket.close",
        "code": 4401,
    }


async def test_a_connection_from_another_site_is_refused(alice: User) -> None:
    communicator = await _communicator(alice, origin="https://evil.example")

    connected, _ = await communicator.connect(timeout=TIMEOUT)

    assert not connected


async def test_a_member_gets_the_unread_count_then_new_notifications_live(
    alice: User, bob: User
) -> None:
    await _send_committed(alice, "Sent before connecting")
    alice_socket = await _connected(alice)
    bob_socket = await _connected(bob)
    try:
        assert await alice_socket.receive_json_from(timeout=TIMEOUT) == {
            "type": "unread_count",
            "unread_count": 1,
        }
        assert await bob_socket.receive_json_from(timeout=TIMEOUT) == {
            "type": "unread_count",
            "unread_count": 0,
        }

        notification = await _send_committed(alice, "Bob approved your reservation")

        assert await alice_socket.receive_json_from(timeout=TIMEOUT) == {
            "type": "notification",
            "unread_count": 2,
            "notification": {
                "id": notification.pk,
                "kind": "lending.reservation_approved",
                "title": "Bob approved your reservation",
                "body": "Pick it up on Saturday.",
                "url": "/lending/reservations/1/",
                "created_at": notification.created_at.isoformat(),
            },
        }
        # Bob is connected too, and hears nothing of Alice's news.
        assert await bob_socket.receive_nothing(timeout=0.3)
    finally:
        await alice_socket.disconnect()
        await bob_socket.disconnect()


async def test_nothing_is_delivered_when_the_sending_transaction_rolls_back(alice: User) -> None:
    socket = await _connected(alice)
    try:
        await socket.receive_json_from(timeout=TIMEOUT)

        @sync_to_async
        def send_then_fail() -> None:
            with transaction.atomic():
                notification_send(recipient=alice, kind="stays.booking_request", title="Hi")
                transaction.set_rollback(True)

        await send_then_fail()

        assert await socket.receive_nothing(timeout=0.3)
    finally:
        await socket.disconnect()


async def test_every_open_tab_hears_when_notifications_are_read(alice: User) -> None:
    first = await _send_committed(alice, "One")
    await _send_committed(alice, "Two")
    tab_one = await _connected(alice)
    tab_two = await _connected(alice)
    try:
        for tab in (tab_one, tab_two):
            assert (await tab.receive_json_from(timeout=TIMEOUT))["unread_count"] == 2

        await sync_to_async(notification_mark_read)(recipient=alice, notification=first)
        for tab in (tab_one, tab_two):
            assert await tab.receive_json_from(timeout=TIMEOUT) == {
                "type": "unread_count",
                "unread_count": 1,
            }

        await sync_to_async(notification_mark_all_read)(recipient=alice)
        for tab in (tab_one, tab_two):
            assert await tab.receive_json_from(timeout=TIMEOUT) == {
                "type": "unread_count",
                "unread_count": 0,
            }
    finally:
        await tab_one.disconnect()
        await tab_two.disconnect()


@pytest.mark.parametrize(
    "message",
    ['{"type": "subscribe", "group": "member.1"}', "not json", "[1, 2]", '"ping"'],
)
async def test_client_messages_other_than_ping_are_ignored(alice: User, message: str) -> None:
    socket = await _connected(alice)
    try:
        await socket.receive_json_from(timeout=TIMEOUT)

        await socket.send_to(text_data=message)
        await socket.send_to(bytes_data=b"\x00\x01")
        await socket.send_json_to({"type": "ping"})

        # Still open, and the ping after the junk is answered.
        assert await socket.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
    finally:
        await socket.disconnect()


async def test_a_closed_socket_leaves_the_members_group(alice: User) -> None:
    socket = await _connected(alice)
    await socket.receive_json_from(timeout=TIMEOUT)
    await socket.disconnect()
    layer: Any = get_channel_layer()

    # Sending now reaches nobody and must not fail.
    await _send_committed(alice, "Nobody is listening")

    if hasattr(layer, "groups"):  # the in-memory layer shows its bookkeeping
        assert f"member.{alice.pk}" not in layer.groups


async def test_an_idle_socket_still_receives_after_the_layers_blocking_read_times_out(
    alice: User,
) -> None:
    layer: Any = get_channel_layer()
    if not hasattr(layer, "brpop_timeout"):
        pytest.skip("only the Redis layer blocks on the server")
    socket = await _connected(alice)
    try:
        await socket.receive_json_from(timeout=TIMEOUT)

        # Idle for longer than one blocking pop: the consumer must not crash.
        assert await socket.receive_nothing(timeout=layer.brpop_timeout + 1.5, interval=0.2)
        await _send_committed(alice, "Still listening")

        assert (await socket.receive_json_from(timeout=TIMEOUT))["type"] == "notification"
    finally:
        await socket.disconnect()
