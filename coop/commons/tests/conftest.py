from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from coop.commons.models import CityClient, Purpose
from coop.commons.services import city_client_create, consent_set
from coop.members.models import User
from coop.members.tests.factories import MemberFactory
from timebank.models import Exchange, ExchangeStatus, Post, PostKind

# Inside one 5 km² cell of the grid, and another cell a few km away.
CELL_A = (48.851, 2.341)
CELL_B = (48.911, 2.441)


@pytest.fixture
def city(db: None) -> tuple[CityClient, str]:
    return city_client_create(name="City planning office")


@pytest.fixture
def city_headers(city: tuple[CityClient, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {city[1]}"}


def consenting_members(count: int, purpose: Purpose = Purpose.TIMEBANK) -> list[User]:
    members = MemberFactory.create_batch(count)
    for member in members:
        consent_set(member=member, purpose=purpose, granted=True)
    return members


def confirmed_exchange(
    *,
    provider: User,
    receiver: User,
    minutes: int = 60,
    place: tuple[float, float] | None = CELL_A,
    when: dt.datetime | None = None,
) -> Exchange:
    post = Post.objects.create(
        author=provider,
        kind=PostKind.OFFER,
        title="Bike repairs",
        category="repairs",
        lat=place[0] if place else None,
        lng=place[1] if place else None,
    )
    return Exchange.objects.create(
        post=post,
        provider=provider,
        receiver=receiver,
        requester=receiver,
        minutes=minutes,
        status=ExchangeStatus.CONFIRMED,
        confirmed_at=when
        or dt.datetime(2026, 3, 10, 14, 0, tzinfo=timezone.get_current_timezone()),
    )
