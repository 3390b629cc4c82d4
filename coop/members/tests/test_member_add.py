from __future__ import annotations

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from coop.members.models import MembershipStatus, User

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("member_add", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_member_in_good_standing_with_a_verified_email() -> None:
    output = run("Nuria@Example.org", "--name", "Núria", "--password", "s3cret-enough-pass")

    member = User.objects.get(email="nuria@example.org")
    assert member.membership_status == MembershipStatus.MEMBER
    assert member.member_number == 1
    assert member.display_name == "Núria"
    assert not member.is_board
    assert EmailAddress.objects.get(user=member).verified
    assert authenticate(email="nuria@example.org", password="s3cret-enough-pass") == member
    assert "#1" in output


def test_it_gives_consecutive_member_numbers() -> None:
    run("a@example.org", "--name", "A")
    run("b@example.org", "--name", "B")
    numbers = list(User.objects.order_by("member_number").values_list("member_number", flat=True))
    assert numbers == [1, 2]


def test_it_makes_board_members_and_records_their_home() -> None:
    run("jordi@example.org", "--name", "Jordi", "--board", "--home", "41.4036,2.1564")

    member = User.objects.get(email="jordi@example.org")
    assert member.is_board
    assert member.home is not None
    assert (member.home.lat, member.home.lng) == (41.4036, 2.1564)


def test_a_member_without_password_cannot_log_in_until_they_set_one() -> None:
    run("pau@example.org", "--name", "Pau")
    member = User.objects.get(email="pau@example.org")
    assert not member.has_usable_password()


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["not-an-email", "--name", "X"], "not a valid email"),
        (["x@example.org", "--name", "   "], "display name"),
        (["x@example.org", "--name", "X", "--home", "91,2"], "lat"),
        (["x@example.org", "--name", "X", "--home", "nan,2"], "lat"),
        (["x@example.org", "--name", "X", "--home", "41.4"], "latitude,longitude"),
    ],
)
def test_it_refuses_bad_input_clearly(args: list[str], problem: str) -> None:
    with pytest.raises(CommandError, match=problem):
        run(*args)
    assert not User.objects.exists()


def test_it_refuses_an_email_that_is_taken_in_any_case(alice: User) -> None:
    with pytest.raises(CommandError, match="already exists"):
        run("ALICE@example.org", "--name", "Other Alice")
    assert User.objects.count() == 1
