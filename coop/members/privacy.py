"""The member's own profile in the data export, and its anonymisation when they leave."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession

from coop.members.models import MembershipStatus, User
from coop.members.privacy_registry import privacy_register

FORMER_MEMBER_NAME = "Former member"
# `.invalid` is reserved (RFC 2606): nothing can ever be delivered there, and the user id keeps
# the placeholder unique under the email constraint.
FORMER_MEMBER_EMAIL_DOMAIN = "former-member.invalid"


def export(member: User) -> dict[str, Any]:
    return {
        "id": member.pk,
        "email": member.email,
        "display_name": member.display_name,
        "preferred_language": member.preferred_language,
        "home": {"lat": member.home_lat, "lng": member.home_lng}
        if member.home_lat is not None
        else None,
        "bio": member.bio,
        "skills": list(member.skills),
        "membership_status": member.membership_status,
        "member_number": member.member_number,
        "became_member_at": member.became_member_at,
        "is_board": member.is_board,
        "date_joined": member.date_joined,
        "last_login": member.last_login,
        "email_addresses": [
            {"email": row.email, "primary": row.primary, "verified": row.verified}
            for row in EmailAddress.objects.filter(user=member).order_by("pk")
        ],
        "two_factor_methods": sorted(
            Authenticator.objects.filter(user=member).values_list("type", flat=True)
        ),
    }


def anonymise(member: User) -> None:
    # Ending the tracked sessions also signs out app clients (their X-Session-Token is a session).
    for session in UserSession.objects.filter(user=member):
        session.end()
    EmailAddress.objects.filter(user=member).delete()
    Authenticator.objects.filter(user=member).delete()
    member.email = f"former-member-{member.pk}@{FORMER_MEMBER_EMAIL_DOMAIN}"
    member.display_name = FORMER_MEMBER_NAME
    member.home_lat = member.home_lng = None
    member.bio = ""
    member.skills = []
    member.set_unusable_password()
    member.is_active = False
    member.is_board = False
    member.is_staff = member.is_superuser = False
    # An applicant has no member number, and a member number must stay with whoever held it.
    if member.membership_status != MembershipStatus.APPLICANT:
        member.membership_status = MembershipStatus.LEFT
    member.save()
    member.groups.clear()
    member.user_permissions.clear()


privacy_register(section="profile", export=export, anonymise=anonymise, order=1000)
