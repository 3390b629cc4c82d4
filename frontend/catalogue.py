"""The co-op's services as the pages present them: one list, so every page says the same thing."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True, slots=True)
class Service:
    slug: str  # also the URL namespace, the icon name and the colour of the service
    name: Promise
    tagline: Promise
    summary: Promise
    fairness: Promise

    @property
    def url_name(self) -> str:
        return f"{self.slug}:index"


SERVICES: tuple[Service, ...] = (
    Service(
        slug="lending",
        name=_("Library of things"),
        tagline=_("Borrow it, don't buy it"),
        summary=_(
            "Borrow a drill, a ladder or a tent from a neighbour by the hour or the day, with "
            "check-out and check-in at the door."
        ),
        fairness=_("Deposits are held, never charged; late fees follow a published formula."),
    ),
    Service(
        slug="stays",
        name=_("Fair short stays"),
        tagline=_("One host, one home"),
        summary=_(
            "Stay with local hosts who rent out the home they live in, within the city's rules."
        ),
        fairness=_(
            "City caps on nights and guests, licence numbers shown, half the co-op fee goes to "
            "a community project the guest picks."
        ),
    ),
    Service(
        slug="rides",
        name=_("Shared rides"),
        tagline=_("Share the car, share the cost"),
        summary=_(
            "Drivers offer the empty seats on trips they are making anyway; passengers share "
            "the cost of the fuel and the wear."
        ),
        fairness=_(
            "Prices are capped at the cost per km, so nobody profits; the detour matching is "
            "open and explains itself."
        ),
    ),
    Service(
        slug="timebank",
        name=_("Timebank"),
        tagline=_("An hour is an hour"),
        summary=_(
            "Trade help with neighbours: an hour of plumbing, an hour of Catalan conversation, "
            "an hour of moving boxes."
        ),
        fairness=_(
            "Everyone's hour is worth the same; hours are mutual credit, so all balances sum to "
            "zero."
        ),
    ),
)

GOVERNANCE = Service(
    slug="governance",
    name=_("Governance"),
    tagline=_("One member, one vote"),
    summary=_(
        "Members propose, debate and vote: board elections, the participatory budget and the "
        "live rules of every service."
    ),
    fairness=_("Quorum rules, secret ballots where they matter, and results anyone can recount."),
)


def service_get(slug: str) -> Service:
    """The service (or governance) with this slug; a programming error if there is none."""
    for service in (*SERVICES, GOVERNANCE):
        if service.slug == slug:
            return service
    raise LookupError(f"No service {slug!r}.")


def service_page_context(slug: str) -> dict[str, object]:
    """What frontend/service_page.html needs: the service and the others to link to."""
    service = service_get(slug)
    others = [other for other in (*SERVICES, GOVERNANCE) if other.slug != slug]
    return {"service": service, "other_services": others}
