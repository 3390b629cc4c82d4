"""HTML pages about members: my profile, and other members' public profiles."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from coop.exceptions import DomainError, NotFound
from coop.geo.approximate import approximate_point
from coop.geo.points import Point
from coop.members import selectors, services
from coop.members.forms import ProfileForm
from coop.members.models import User
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
