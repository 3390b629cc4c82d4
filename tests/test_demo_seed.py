from __future__ import annotations

import random
from io import StringIO
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import override_settings

from coop.demo.barcelona import BARRIS, DISTRICTS, in_barcelona, point_near
from coop.demo.registry import demo_modules
from coop.geo.points import Point, distance_km
from coop.members.demo import (
    BOARD_EMAIL,
    BOARD_PASSWORD,
    DEMO_MEMBER_EMAIL,
    DEMO_MEMBER_PASSWORD,
    demo_people,
)
from coop.members.models import MembershipStatus, User

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("demo_seed", "--demo-site", stdout=out)
    return out.getvalue()


def _snapshot() -> list[dict[str, Any]]:
    users = User.objects.order_by("email").values()
    addresses = EmailAddress.objects.order_by("email").values("email", "verified", "primary")
    return [*users, *addresses]


def _within_a_barri(point: Point) -> bool:
    return any(distance_km(point, barri.centre) * 1000 <= barri.spread_m + 1 for barri in BARRIS)


def test_it_seeds_a_board_and_dozens_of_members_living_in_barcelona() -> None:
    output = _seed()

    people = User.objects.all()
    assert all(user.email.endswith("@coop.example") for user in people)
    assert people.filter(is_board=True).count() == 5
    members = people.filter(membership_status=MembershipStatus.MEMBER)
    assert members.count() >= 40
    assert all(user.in_good_standing and user.member_number for user in members)
    applicants = people.filter(membership_status=MembershipStatus.APPLICANT)
    assert 1 <= applicants.count() <= 10
    assert not applicants.filter(member_number__isnull=False).exists()

    for user in people:
        assert user.home is not None
        assert in_barcelona(user.home), user.email
        assert _within_a_barri(user.home), user.email
        assert user.bio
        assert user.preferred_language in dict(settings.LANGUAGES)
    assert {user.preferred_language for user in people} == {"ca", "es", "en"}
    assert all(user.skills for user in members)
    assert any("bike mechanics" in user.skills for user in members)
    # Homes spread over the city, not piled on one corner.
    assert len({round(user.home_lat or 0, 2) for user in people}) >= 6
    # Everyone can receive email: one verified primary address each, as member_create makes.
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == people.count()

    assert "demo@coop.example / demo-member-2026" in output
    assert "board@coop.example / demo-board-2026" in output


def test_running_it_twice_creates_nothing_and_changes_nothing() -> None:
    first_output = _seed()
    people = User.objects.count()
    before = _snapshot()

    second_output = _seed()

    assert _snapshot() == before
    assert f"({people} created, 0 already there)" in first_output
    assert f"(0 created, {people} already there)" in second_output
    assert f"0 rows created, {people} already there" in second_output


def test_the_demo_logins_can_authenticate() -> None:
    _seed()

    member = authenticate(email=DEMO_MEMBER_EMAIL, password=DEMO_MEMBER_PASSWORD)
    assert isinstance(member, User)
    assert member.in_good_standing
    assert not member.is_board

    board = authenticate(email=BOARD_EMAIL, password=BOARD_PASSWORD)
    assert isinstance(board, User)
    assert board.is_board

    assert authenticate(email=DEMO_MEMBER_EMAIL, password="wrong") is None


def test_generated_people_cannot_log_in() -> None:
    _seed()
    others = User.objects.exclude(email__in=[DEMO_MEMBER_EMAIL, BOARD_EMAIL])
    assert others.exists()
    assert not any(user.has_usable_password() for user in others)


def test_it_leaves_existing_people_alone(alice: User) -> None:
    User.objects.filter(pk=alice.pk).update(bio="my own words")
    _seed()
    alice.refresh_from_db()
    assert alice.bio == "my own words"
    assert User.objects.filter(email__endswith="@coop.example").count() > 40


def test_it_refuses_to_run_without_debug_unless_told_this_is_a_demo_site() -> None:
    with pytest.raises(CommandError, match="--demo-site"):
        call_command("demo_seed", stdout=StringIO())
    assert not User.objects.exists()

    with override_settings(DEBUG=True):
        call_command("demo_seed", stdout=StringIO())
    assert User.objects.filter(email=DEMO_MEMBER_EMAIL).exists()


def test_demo_modules_are_found_in_installed_apps_order() -> None:
    labels = [label for label, _ in demo_modules()]
    assert "members" in labels
    assert "coop" not in labels  # coop.demo is the registry itself, not demo content
    app_order = [name.rsplit(".", 1)[-1] for name in settings.INSTALLED_APPS]
    assert labels == sorted(labels, key=app_order.index)


def test_the_same_seed_always_generates_the_same_people() -> None:
    first = demo_people(random.Random(1))
    assert demo_people(random.Random(1)) == first
    assert demo_people(random.Random(2)) != first
    emails = [person.email for person in first]
    assert len(set(emails)) == len(emails)


def test_barcelona_has_ten_districts_and_every_barri_is_inside_the_city() -> None:
    assert len(DISTRICTS) == 10
    assert {barri.district for barri in BARRIS} == set(DISTRICTS)
    assert len(BARRIS) >= 30
    assert len({barri.name for barri in BARRIS}) == len(BARRIS)
    for barri in BARRIS:
        assert in_barcelona(barri.centre), barri.name
        assert round(barri.lat, 4) == barri.lat
        assert round(barri.lng, 4) == barri.lng


def test_points_near_a_barri_stay_within_its_spread() -> None:
    rng = random.Random(3)
    for _ in range(3000):
        barri = rng.choice(BARRIS)
        point = point_near(barri, rng)
        assert in_barcelona(point)
        assert distance_km(point, barri.centre) * 1000 <= barri.spread_m + 1
