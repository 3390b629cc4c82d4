from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from coop.geo.points import Point
from coop.members.models import User
from lending import services
from lending.models import Item

# Monday 2 March 2026, 09:00 in Barcelona.
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ALICE_DOOR = Point(41.4036, 2.1744)  # near the Sagrada Família


@pytest.fixture(autouse=True)
def frozen_now() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def at(hours: int) -> datetime:
    """`hours` from now, on the hour."""
    return NOW + timedelta(hours=hours)


@pytest.fixture
def drill(alice: User) -> Item:
    """Alice lends her drill with owner approval, a 2-hour buffer and check prompts."""
    return services.item_create(
        owner=alice,
        title="Cordless drill",
        category="tools",
        description="18 V with two batteries.",
        replacement_value_cents=12000,
        deposit_cents=0,
        min_hours=2,
        max_hours=48,
        buffer_hours=2,
        pickup=ALICE_DOOR,
        pickup_details="Carrer de Mallorca 401, 3-2",
        checkout_prompts=["Battery charged?"],
        checkin_prompts=["Bits all back in the case?"],
    )


@pytest.fixture
def ladder(board: User) -> Item:
    """The common store's ladder, approved automatically."""
    return services.item_create(
        owner=board,
        common_store=True,
        title="Aluminium ladder",
        category="tools",
        replacement_value_cents=9000,
        auto_approve=True,
        pickup=Point(41.3870, 2.1700),
    )
