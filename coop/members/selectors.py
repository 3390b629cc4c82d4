"""Reads of members that are more than a `.get()`."""

from __future__ import annotations

from django.db.models import QuerySet

from coop.exceptions import NotFound
from coop.members.models import MembershipStatus, User

# Whose public profile other people may see: present and former-but-suspended members.
VISIBLE_STATUSES = (MembershipStatus.MEMBER, MembershipStatus.SUSPENDED)


def member_list_visible() -> QuerySet[User]:
    return User.objects.filter(is_active=True, membership_status__in=VISIBLE_STATUSES)


def member_get_public(*, viewer: User, member_id: int) -> User:
    """A member's public profile, or NotFound for applicants, leavers and unknown ids.

    Anyone may see their own profile whatever their status.
    """
    if viewer.is_authenticated and viewer.pk == member_id:
        return viewer
    member = member_list_visible().filter(pk=member_id).first()
    if member is None:
        raise NotFound("No member with that id.")
    return member
