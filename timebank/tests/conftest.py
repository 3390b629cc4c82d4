from __future__ import annotations

import pytest

from coop.geo.points import Point
from coop.members.models import User
from timebank import services
from timebank.models import Exchange, Post


@pytest.fixture
def offer(alice: User) -> Post:
    """Alice offers bike repairs: she provides, whoever answers receives."""
    return services.post_create(
        author=alice,
        kind="offer",
        title="Bike repairs",
        description="Punctures, brakes, gears.",
        category="repairs",
        tags=["bike"],
        location=Point(41.3874, 2.1686),
    )


def give(user: User, minutes: int) -> None:
    """Put `minutes` on a member's account through a real transfer from a fresh member."""
    from coop.members.tests.factories import MemberFactory  # noqa: PLC0415

    while minutes > 0:
        chunk = min(minutes, 600)  # a fresh member can go down to -10 h
        donor = MemberFactory.create()
        services.transfer_create(payer=donor, to_member_id=user.pk, minutes=chunk)
        minutes -= chunk


def run_exchange(
    post: Post, requester: User, minutes: int, *, until: str = "confirmed"
) -> Exchange:
    exchange = services.exchange_request(requester=requester, post=post, minutes=minutes)
    author = post.author
    if until == "requested":
        return exchange
    exchange = services.exchange_accept(user=author, exchange=exchange)
    if until == "accepted":
        return exchange
    provider = User.objects.get(pk=exchange.provider_id)
    receiver = User.objects.get(pk=exchange.receiver_id)
    exchange = services.exchange_complete(user=provider, exchange=exchange)
    if until == "completed":
        return exchange
    return services.exchange_confirm(user=receiver, exchange=exchange)
