"""The live page of a ride over the real ASGI app: trip status and chat."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections
from django.test import Client

from coop.asgi import application
from coop.members.models import User
from rides import services
from rides.models import Offer
from rides.tests.conftest import GLORIES, LES_CORTS, FakeStripe, make_offer, stripe_authorises

TIMEOUT = 3
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def _close_sync_thread_connections() -> AsyncIterator[None]:
    yield
    # The consumer's queries ran in asgiref's sync thread; close its connection, or the test
    # database cannot be dropped at the end of the run.
    await sync_to_async(connections.close_all)()


def _cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def _socket(user: User, offer: Offer) -> WebsocketCommunicator:
    cookie = await sync_to_async(_cookie)(user)
    return WebsocketCommunicator(
        application,
        f"/ws/rides/{offer.pk}/",
        headers=[
            (b"host", b"testserver"),
            (b"origin", b"http://testserver"),
            (b"cookie", cookie.encode()),
        ],
    )


def _ride_with_bob(alice: User, bob: User, fake_stripe: FakeStripe) -> Offer:
    offer = make_offer(alice, instant_booking=True)
    booking = services.booking_request(
        passenger=bob, offer=offer, seats=1, pickup=LES_CORTS, dropoff=GLORIES
    )
    stripe_authorises(fake_stripe, booking.pk)  # unpaid, Bob would be left behind at boarding
    return offer


async def test_passengers_follow_the_trip_status_and_chat_live(
    alice: User, bob: User, fake_stripe: FakeStripe
) -> None:
    offer = await sync_to_async(_ride_with_bob)(alice, bob, fake_stripe)
    bob_socket = await _socket(bob, offer)
    alice_socket = await _socket(alice, offer)
    assert (await bob_socket.connect(timeout=TIMEOUT))[0]
    assert (await alice_socket.connect(timeout=TIMEOUT))[0]
    try:
        assert await bob_socket.receive_json_from(timeout=TIMEOUT) == {
            "type": "status",
            "status": "scheduled",
        }
        await alice_socket.receive_json_from(timeout=TIMEOUT)

        await sync_to_async(services.offer_advance)(driver=alice, offer=offer, status="boarding")
        assert await bob_socket.receive_json_from(timeout=TIMEOUT) == {
            "type": "status",
            "status": "boarding",
        }

        await bob_socket.send_json_to({"type": "message", "body": "On my way"})
        heard = await alice_socket.receive_json_from(timeout=TIMEOUT)
        while heard["type"] != "message":
            heard = await alice_socket.receive_json_from(timeout=TIMEOUT)
        assert heard["body"] == "On my way"
        assert heard["author"] == "Bob"
    finally:
        await bob_socket.disconnect()
        await alice_socket.disconnect()


async def test_somebody_not_on_the_ride_is_turned_away(alice: User, charlie: User) -> None:
    offer = await sync_to_async(make_offer)(alice)
    socket = await _socket(charlie, offer)

    await socket.connect(timeout=TIMEOUT)
    output = await socket.receive_output(timeout=TIMEOUT)

    assert output == {"type": "websocket.close", "code": 4403}
    await socket.wait(timeout=TIMEOUT)
