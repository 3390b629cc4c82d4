"""The live turnout counter over the real ASGI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections
from django.test import Client
from django.utils import timezone

from coop.asgi import application
from coop.members.models import User
from governance import services
from governance.models import Ballot, BallotKind

TIMEOUT = 3

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def _empty_channel_layer() -> AsyncIterator[None]:
    layer = get_channel_layer()
    await layer.flush()
    yield
    await layer.flush()
    # The consumer's queries ran in asgiref's sync thread; close its connection, or the test
    # database cannot be dropped at the end of the run.
    await sync_to_async(connections.close_all)()


def _session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def _communicator(path: str, user: User | None) -> WebsocketCommunicator:
    headers = [(b"host", b"testserver"), (b"origin", b"http://testserver")]
    if user is not None:
        cookie = await sync_to_async(_session_cookie)(user)
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, path, headers=headers)


@sync_to_async
def _open_ballot(board: User) -> Ballot:
    now = timezone.now()
    return services.ballot_create(
        title="Turnout",
        kind=BallotKind.YES_NO,
        options=[],
        opens_at=now,
        closes_at=now + timedelta(days=1),
        created_by=board,
    )


async def test_the_counter_sends_turnout_on_connect_and_after_each_vote(
    alice: User, bob: User, board: User
) -> None:
    ballot = await _open_ballot(board)
    communicator = await _communicator(f"/ws/governance/ballots/{ballot.pk}/", alice)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected

    assert await communicator.receive_json_from(timeout=TIMEOUT) == {
        "type": "turnout",
        "voted": 0,
        "eligible": 3,
    }
    await sync_to_async(services.vote_cast)(ballot=ballot, voter=bob, content={"choice": "no"})
    assert await communicator.receive_json_from(timeout=TIMEOUT) == {
        "type": "turnout",
        "voted": 1,
        "eligible": 3,
    }
    await communicator.disconnect()


async def test_an_anonymous_socket_is_closed_with_4401(db: None) -> None:
    anonymous = await _communicator("/ws/governance/ballots/1/", None)
    await anonymous.connect(timeout=TIMEOUT)

    assert (await anonymous.receive_output(timeout=TIMEOUT))["code"] == 4401
    await anonymous.wait(timeout=TIMEOUT)


async def test_a_socket_for_an_unknown_ballot_is_closed_with_4404(alice: User) -> None:
    unknown = await _communicator("/ws/governance/ballots/999999/", alice)
    await unknown.connect(timeout=TIMEOUT)

    assert (await unknown.receive_output(timeout=TIMEOUT))["code"] == 4404
    await unknown.wait(timeout=TIMEOUT)
