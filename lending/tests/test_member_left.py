"""A reservation racing the borrower's or the owner's leaving is refused (`member_left`)."""

from __future__ import annotations

import pytest

from coop.members.exceptions import MemberLeft
from coop.members.models import User
from coop.members.tests.leaving import leave_behind_their_back
from lending import services
from lending.models import Item, Reservation
from lending.tests.conftest import at

pytestmark = pytest.mark.django_db


def test_a_reservation_by_a_borrower_who_left_is_refused(drill: Item, bob: User) -> None:
    leave_behind_their_back(bob)

    with pytest.raises(MemberLeft):
        services.reservation_request(borrower=bob, item=drill, starts_at=at(24), ends_at=at(27))
    assert not Reservation.objects.exists()


def test_a_reservation_of_the_item_of_an_owner_who_left_is_refused(
    drill: Item, alice: User, bob: User
) -> None:
    leave_behind_their_back(alice)  # `drill` still says it is lent, as a request's copy would

    with pytest.raises(MemberLeft):
        services.reservation_request(borrower=bob, item=drill, starts_at=at(24), ends_at=at(27))
    assert not Reservation.objects.exists()
