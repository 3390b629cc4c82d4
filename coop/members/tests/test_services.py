from __future__ import annotations

import pytest

from coop.members.exceptions import InvalidMembershipChange
from coop.members.models import MembershipStatus, User
from coop.members.services import member_admit, member_leave

pytestmark = pytest.mark.django_db


def test_admitting_an_applicant_gives_the_next_member_number(alice: User, applicant: User) -> None:
    member = member_admit(user=applicant)

    assert member.membership_status == MembershipStatus.MEMBER
    assert member.member_number == (alice.member_number or 0) + 1
    assert member.became_member_at is not None


def test_a_member_cannot_be_admitted_twice(alice: User) -> None:
    with pytest.raises(InvalidMembershipChange):
        member_admit(user=alice)


def test_a_board_member_who_leaves_leaves_the_board_and_keeps_their_number(board: User) -> None:
    number = board.member_number

    member_leave(user=board)

    board.refresh_from_db()
    assert board.membership_status == MembershipStatus.LEFT
    assert not board.is_board
    assert board.member_number == number
    assert not board.in_good_standing


def test_only_members_can_leave(applicant: User) -> None:
    with pytest.raises(InvalidMembershipChange):
        member_leave(user=applicant)
