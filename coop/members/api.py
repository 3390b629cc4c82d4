from __future__ import annotations

from typing import Any

from django.contrib.auth import logout
from django.http import HttpRequest
from ninja import Router, Status

from coop.api import error_responses
from coop.geo.approximate import approximate_point
from coop.geo.schemas import PointSchema
from coop.members import selectors, services
from coop.members.models import User
from coop.members.privacy_registry import privacy_export
from coop.members.schemas import MemberPublicOut, MeOut, MePatch

me_router = Router(tags=["members"])
members_router = Router(tags=["members"])


def _me_out(user: User) -> MeOut:
    home = user.home
    return MeOut(
        id=user.pk,
        email=user.email,
        display_name=user.display_name,
        membership_status=user.membership_status,
        member_number=user.member_number,
        is_board=user.is_board,
        home=PointSchema(lat=home.lat, lng=home.lng) if home else None,
        preferred_language=user.preferred_language,
        bio=user.bio,
        skills=list(user.skills),
        date_joined=user.date_joined,
    )


@me_router.get("", response={200: MeOut, **error_responses(401)}, summary="My account")
def me_get(request: HttpRequest) -> MeOut:
    return _me_out(request.user)  # type: ignore[arg-type]


@me_router.patch(
    "", response={200: MeOut, **error_responses(400, 401)}, summary="Change my profile"
)
def me_patch(request: HttpRequest, payload: MePatch) -> MeOut:
    changes = payload.model_dump(exclude_unset=True)
    if "home" in changes:
        changes["home"] = payload.home.to_point() if payload.home else None
    user = services.member_update_profile(user=request.user, **changes)  # type: ignore[arg-type]
    return _me_out(user)


@me_router.get(
    "/export",
    response={200: dict[str, Any], **error_responses(401)},
    summary="All my data, from every service",
)
def me_export(request: HttpRequest) -> dict[str, Any]:
    """One section per service (profile, money, timebank, lending, stays, rides, governance,
    notifications). Secret ballots list that I voted, never how."""
    return privacy_export(request.user)  # type: ignore[arg-type]


@me_router.delete(
    "",
    response={204: None, **error_responses(401, 409)},
    summary="Leave the co-op and anonymise my account",
)
def me_delete(request: HttpRequest) -> Status[None]:
    services.member_delete(user=request.user)  # type: ignore[arg-type]
    if hasattr(request, "session"):
        logout(request)
    return Status(204, None)


@members_router.get(
    "/{member_id}",
    response={200: MemberPublicOut, **error_responses(401, 404)},
    summary="A member's public profile",
)
def member_get(request: HttpRequest, member_id: int) -> MemberPublicOut:
    member = selectors.member_get_public(viewer=request.user, member_id=member_id)  # type: ignore[arg-type]
    home = member.home
    area = approximate_point(home, key=f"member:{member.pk}") if home else None
    return MemberPublicOut(
        id=member.pk,
        display_name=member.display_name,
        member_number=member.member_number,
        is_board=member.is_board,
        bio=member.bio,
        skills=list(member.skills),
        member_since=member.became_member_at,
        area=PointSchema(lat=area.lat, lng=area.lng) if area else None,
    )
