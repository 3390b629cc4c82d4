from __future__ import annotations

from coop.members.models import User


def test_personas_are_members_in_good_standing(alice: User, board: User, applicant: User) -> None:
    assert alice.in_good_standing
    assert board.is_board
    assert not applicant.in_good_standing
