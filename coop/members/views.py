"""HTML pages about members: my profile, my own data (download it, or leave the co-op), and
other members' public profiles."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from ninja.responses import NinjaJSONEncoder

from coop.exceptions import DomainError, NotFound
from coop.geo.approximate import approximate_point
from coop.geo.points import Point
from coop.members import selectors, services
from coop.members.forms import LeaveForm, ProfileForm
from coop.members.models import User
from coop.members.privacy_registry import privacy_export, privacy_obligations
from frontend.forms import form_add_domain_error

# Point and the service name the coordinates `lat`/`lng`; the form calls them home_*.
_POINT_FIELDS = {"lat": "home_lat", "lng": "home_lng"}


def _approximate_area(member: User) -> Point | None:
    """What others see of a member's home: the same approximate point the API shows."""
    home = member.home
    return approximate_point(home, key=f"member:{member.pk}") if home else None


def _save_profile(user: User, form: ProfileForm) -> None:
    data = form.cleaned_data
    lat, lng = data["home_lat"], data["home_lng"]
    home = Point(lat, lng) if lat is not None and lng is not None else None
    services.member_update_profile(
        user=user,
        display_name=data["display_name"],
        preferred_language=data["preferred_language"],
        bio=data["bio"],
        skills=data["skills"],
        home=home,
    )


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(data, initial=ProfileForm.initial_for(user))
    if form.is_bound and form.is_valid():
        try:
            _save_profile(user, form)
        except DomainError as error:
            # The service may have set attributes before refusing; show what is really saved.
            user.refresh_from_db()
            form_add_domain_error(form, error, rename=_POINT_FIELDS)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("members:profile_edit")
    return render(
        request, "members/profile_edit.html", {"form": form, "area": _approximate_area(user)}
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        member = selectors.member_get_public(viewer=request.user, member_id=pk)  # type: ignore[arg-type]
    except NotFound:
        raise Http404("No member with that id.") from None
    return render(
        request,
        "members/detail.html",
        {
            "member": member,
            "area": _approximate_area(member),
            "is_self": member.pk == request.user.pk,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request: HttpRequest) -> HttpResponse:
    """Download everything the co-op holds about me, or leave and be anonymised (the page form
    of `GET /api/v1/me/export` and `DELETE /api/v1/me`)."""
    user: User = request.user  # type: ignore[assignment]
    form = LeaveForm(request.POST or None, user=user)
    if form.is_bound and form.is_valid():
        try:
            services.member_delete(user=user)
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            logout(request)
            messages.success(request, "You have left the co-op. Your account is anonymised.")
            return redirect("/")
    context = {"form": form, "obligations": privacy_obligations(user)}
    return render(request, "members/my_data.html", context)


@login_required
@require_GET
def my_data_export(request: HttpRequest) -> HttpResponse:
    """The same JSON as `GET /api/v1/me/export`, as a file to keep."""
    body = json.dumps(privacy_export(request.user), cls=NinjaJSONEncoder, indent=2)  # type: ignore[arg-type]
    response = HttpResponse(body, content_type="application/json")
    filename = f"coop-my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
