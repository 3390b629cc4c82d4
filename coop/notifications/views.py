"""The notifications page: my notifications, newest first, and marking them read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from coop.exceptions import NotFound
from coop.notifications import selectors, services

PAGE_SIZE = 30


def _back(request: HttpRequest) -> HttpResponseRedirect:
    """Back to where the form was (a page of the list), never to another site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect("notifications:list")


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = selectors.notification_list_for(recipient=request.user)  # type: ignore[arg-type]
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@require_POST
@login_required
def notification_mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    try:
        notification = selectors.notification_get_for(
            recipient=request.user,  # type: ignore[arg-type]
            notification_id=notification_id,
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    services.notification_mark_read(recipient=request.user, notification=notification)  # type: ignore[arg-type]
    return _back(request)


@require_POST
@login_required
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    marked = services.notification_mark_all_read(recipient=request.user)  # type: ignore[arg-type]
    if marked:
        messages.success(
            request, f"Marked {marked} notification{'s' if marked != 1 else ''} as read."
        )
    return _back(request)
