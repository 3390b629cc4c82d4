"""The privacy page: what the co-op shares with the city, and each member's consent per purpose."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from coop.commons import services
from coop.commons.models import Consent, Purpose
from governance.parameters import parameter_value

# What each purpose shares, in plain words (shown next to the choice).
SHARED = {
    Purpose.STAYS_ZONES: (
        "How many stays and nights were hosted in each city zone per month. Your name, address "
        "and listing are never shared."
    ),
    Purpose.RIDES: (
        "How many shared rides went from one area of about 5 km² to another, by hour, and the "
        "CO2 they saved. Never who rode, the exact places or the exact times."
    ),
    Purpose.LENDING: (
        "How many things of each kind were borrowed per area of about 5 km² per month. Never "
        "who lent or borrowed, or which item."
    ),
    Purpose.TIMEBANK: (
        "How many hours of help of each kind were exchanged per area of about 5 km² per "
        "month. Never who helped whom."
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def privacy(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        with transaction.atomic():
            for purpose in Purpose:
                services.consent_set(
                    member=request.user,  # type: ignore[arg-type]
                    purpose=purpose,
                    granted=request.POST.get(f"consent_{purpose.value}") == "yes",
                )
        messages.success(request, _("Your choices are saved. They apply from the next dataset."))
        return redirect("commons:privacy")
    consents = Consent.objects.filter(member=request.user, granted=True)  # type: ignore[misc]
    granted = set(consents.values_list("purpose", flat=True))
    choices = [{"purpose": p, "shared": SHARED[p], "granted": p.value in granted} for p in Purpose]
    return render(
        request,
        "commons/privacy.html",
        {"choices": choices, "k": parameter_value("commons.k_anonymity")},
    )
