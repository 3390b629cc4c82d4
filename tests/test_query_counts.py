"""A page costs the same number of queries with 5 rows or 40 (issue 10).

Each scenario grows one service's data through its real services, renders its main pages and
API lists as a member, grows the data eight-fold and renders them again: the number of SQL
queries must not change. A difference is an N+1 (a query per row) that would make the page slow
at the scale of a city. Each URL is fetched once before it is counted, so caches that fill on
first use (parameters, sessions) do not count against either size.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coop.community.models import CommunityProject, ProjectStatus
from coop.geo.points import Point
from coop.members.models import User
from coop.members.tests.factories import MemberFactory
from coop.notifications.services import notification_send
from governance import services as governance
from governance.models import BallotKind
from lending import services as lending
from rides import services as rides
from stays.services import ListingInput, listing_create
from stays.tests.conftest import zones  # noqa: F401 - the stays zones, for the stays scenario
from timebank import services as timebank

SMALL = 5
LARGE = 40
# Inside the Eixample outline of stays.barcelona, so listings get a zone with a licence rule.
EIXAMPLE = Point(41.392, 2.165)
ZONA_UNIVERSITARIA = Point(41.3851, 2.1130)
POBLENOU = Point(41.4064, 2.1968)

_serial = itertools.count(1)


def _tomorrow_at(hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def _neighbour() -> User:
    """A member living close to the viewer, so every search finds what they publish."""
    n = next(_serial)
    return MemberFactory.create(home_lat=41.392 + n * 1e-5, home_lng=2.165 + n * 1e-5)


def _grow_lending(viewer: User, count: int) -> None:
    for _ in range(count):
        owner = _neighbour()
        item = lending.item_create(
            owner=owner,
            title=f"Drill {next(_serial)}",
            category="tools",
            pickup=EIXAMPLE,
            auto_approve=True,
        )
        start = _tomorrow_at(9) + timedelta(days=next(_serial) % 20)
        lending.reservation_request(
            borrower=viewer, item=item, starts_at=start, ends_at=start + timedelta(hours=3)
        )
        lending.wanted_create(member=owner, title=f"Ladder {next(_serial)}", category="tools")


def _grow_stays(viewer: User, count: int) -> None:
    """Caller has the stays zones in place (the `zones` fixture)."""
    for _ in range(count):
        n = next(_serial)
        listing_create(
            host=_neighbour(),
            data=ListingInput(
                home_type="entire_home",
                title=f"Flat {n}",
                capacity=4,
                beds=2,
                nightly_price_cents=8000,
                cleaning_fee_cents=3000,
                min_nights=1,
                max_nights=30,
                instant_book=True,
                cancellation_policy="moderate",
                licence_number=f"HUTB-{n:06d}",
            ),
            address=f"Carrer de Mallorca {n}",
            point=Point(EIXAMPLE.lat + n * 1e-5, EIXAMPLE.lng),
        )
        CommunityProject.objects.create(
            slug=f"project-{n}", name=f"Project {n}", status=ProjectStatus.APPROVED
        )


def _grow_rides(viewer: User, count: int) -> None:
    for _ in range(count):
        rides.offer_create(
            driver=_neighbour(),
            origin=rides.Place(ZONA_UNIVERSITARIA, "Zona Universitària"),
            destination=rides.Place(POBLENOU, "Poblenou"),
            departs_at=_tomorrow_at(8) + timedelta(minutes=next(_serial) % 60),
            seats=3,
        )


def _grow_timebank(viewer: User, count: int) -> None:
    for _ in range(count):
        member = _neighbour()
        timebank.post_create(
            author=member,
            kind="offer",
            title=f"Bike repairs {next(_serial)}",
            category="repairs",
            location=EIXAMPLE,
        )
        timebank.transfer_create(payer=member, to_member_id=viewer.pk, minutes=30)


def _grow_governance(viewer: User, count: int) -> None:
    board = User.objects.filter(is_board=True).first() or MemberFactory.create(is_board=True)
    now = timezone.now()
    for _ in range(count):
        n = next(_serial)
        governance.proposal_create(
            author=_neighbour(), title=f"Proposal {n}", text="Why and how.", kind="general"
        )
        governance.ballot_create(
            title=f"Ballot {n}",
            kind=BallotKind.YES_NO,
            options=[],
            opens_at=now,
            closes_at=now + timedelta(days=3),
            created_by=board,
        )
        notification_send(recipient=viewer, kind="governance.ballot_open", title=f"Vote {n}")


@dataclass(frozen=True)
class Scenario:
    grow: Callable[[User, int], None]
    urls: tuple[str, ...]
    fixtures: tuple[str, ...] = ()


RIDES_SEARCH = (
    "origin=zona-universitaria&destination=poblenou&earliest=06:00&latest=11:00&seats=1"
    "&day={tomorrow}"
)
SCENARIOS = {
    "lending": Scenario(
        _grow_lending,
        (
            "/",
            "/lending/",
            "/lending/?q=drill&radius_km=5",
            "/lending/loans/",
            "/lending/wanted/",
            "/api/v1/lending/items",
            "/api/v1/lending/items?near=41.392,2.165&radius_km=5",
            "/api/v1/lending/reservations",
            "/api/v1/lending/wanted",
        ),
    ),
    "stays": Scenario(
        _grow_stays,
        (
            "/stays/search/",
            "/api/v1/stays/listings",
            "/api/v1/stays/listings?near=41.392,2.165",
            "/api/v1/stays/projects",
            "/api/v1/community/projects",
        ),
        fixtures=("zones",),
    ),
    "rides": Scenario(
        _grow_rides,
        (
            "/rides/search/?" + RIDES_SEARCH,
            "/api/v1/rides/offers",
            (
                "/api/v1/rides/matches?origin=41.3851,2.1130&destination=41.4064,2.1968"
                "&depart_before={in_three_days}"
            ),
        ),
    ),
    "timebank": Scenario(
        _grow_timebank,
        (
            "/timebank/",
            "/timebank/history/",
            "/api/v1/timebank/posts",
            "/api/v1/timebank/posts?near=41.392,2.165",
            "/api/v1/timebank/ledger",
        ),
    ),
    "governance": Scenario(
        _grow_governance,
        (
            "/",
            "/governance/",
            "/governance/proposals/",
            "/notifications/",
            "/api/v1/governance/proposals",
            "/api/v1/governance/ballots",
            "/api/v1/notifications",
        ),
    ),
}


def _render(client: Client, urls: tuple[str, ...]) -> tuple[dict[str, int], dict[str, int]]:
    """Queries and response size per URL (the size shows that the rows are on the page)."""
    values = {
        "tomorrow": (timezone.localdate() + timedelta(days=1)).isoformat(),
        "in_three_days": quote((timezone.now() + timedelta(days=3)).isoformat()),
    }
    queries: dict[str, int] = {}
    sizes: dict[str, int] = {}
    for template in urls:
        url = template.format(**values)
        warm = client.get(url)
        assert warm.status_code == 200, (url, warm.status_code, warm.content[:300])
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        queries[template] = len(captured.captured_queries)
        sizes[template] = len(response.content)
    return queries, sizes


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_pages_and_api_lists_cost_the_same_queries_as_data_grows(
    name: str, db: None, request: pytest.FixtureRequest
) -> None:
    scenario = SCENARIOS[name]
    for fixture in scenario.fixtures:
        request.getfixturevalue(fixture)
    viewer = MemberFactory.create(home_lat=41.392, home_lng=2.165)
    client = Client()
    client.force_login(viewer)

    scenario.grow(viewer, SMALL)
    small, small_sizes = _render(client, scenario.urls)
    scenario.grow(viewer, LARGE - SMALL)
    large, large_sizes = _render(client, scenario.urls)

    assert large == small
    # Every list really shows the new rows (a list that stayed empty would prove nothing).
    lists = [url for url in scenario.urls if url != "/"]
    assert [url for url in lists if large_sizes[url] <= small_sizes[url]] == []
