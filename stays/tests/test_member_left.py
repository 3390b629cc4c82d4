"""A booking racing the guest's or the host's leaving is refused (`member_left`)."""

from __future__ import annotations

import pytest

from coop.community.models import CommunityProject
from coop.members.exceptions import MemberLeft
from coop.members.models import User
from coop.members.tests.leaving import leave_behind_their_back
from stays.models import Booking, Listing
from stays.tests.conftest import book

pytestmark = pytest.mark.django_db


def test_a_booking_by_a_guest_who_left_is_refused(
    listing: Listing, bob: User, project: CommunityProject
) -> None:
    leave_behind_their_back(bob)

    with pytest.raises(MemberLeft):
        book(listing, bob, project, start=10, nights=2)
    assert not Booking.objects.exists()


def test_a_booking_at_a_host_who_left_is_refused(
    listing: Listing, alice: User, bob: User, project: CommunityProject
) -> None:
    leave_behind_their_back(alice)  # `listing` still says it is open, as a request's copy would

    with pytest.raises(MemberLeft):
        book(listing, bob, project, start=10, nights=2)
    assert not Booking.objects.exists()
