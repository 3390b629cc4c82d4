"""Pages that span the services: the public landing page and the member's dashboard."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coop.algorithms_api import algorithms_published
from coop.money.amounts import Money, default_currency, format_money
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


def parameter_display(value: int, unit: str) -> str:
    """A parameter's value as a person reads it (values are stored as integers in their unit)."""
    if unit == "cents":
        return format_money(Money(value, default_currency()), locale=get_language() or "en")
    if unit == "basis_points":
        return f"{value / 100:g} %"
    if unit == "percent":
        return f"{value} %"
    if unit == "flag":
        return str(_("yes") if value else _("no"))
    if unit == "count":
        return str(value)
    return f"{value} {unit}"


def algorithms(request: HttpRequest) -> HttpResponse:
    """The open algorithms: what each one does, its version, and the parameters members voted
    on, with the decision that set each. Public, and one query whatever the register holds."""
    rows = [
        {
            "algorithm": entry.algorithm,
            "parameters": [
                {"live": live, "display": parameter_display(live.value, live.spec.unit)}
                for live in entry.parameters
            ],
        }
        for entry in algorithms_published()
    ]
    return render(request, "frontend/algorithms.html", {"algorithms": rows})
