"""A member who leaves while another request still holds their old, active copy: the state a
write racing `member_delete` finds once it gets the member's lock."""

from __future__ import annotations

from coop.members.models import User
from coop.members.services import member_delete


def leave_behind_their_back(member: User) -> None:
    """`member` leaves and is anonymised; the caller's instance still says active."""
    member_delete(user=User.objects.get(pk=member.pk))
    assert member.is_active
