"""Pages that span the services: the public landing page and the member's dashboard."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from frontend.catalogue import GOVERNANCE, SERVICES


def home(request: HttpRequest) -> HttpResponse:
    """The landing page for visitors, the dashboard for signed-in people.

    The dashboard reads only the signed-in user and the unread count the notifications context
    processor provides, so it costs the same few queries for everyone.
    """
    context = {"services": SERVICES, "governance": GOVERNANCE}
    if request.user.is_authenticated:
        return render(request, "frontend/dashboard.html", context)
    return render(request, "frontend/landing.html", context)
