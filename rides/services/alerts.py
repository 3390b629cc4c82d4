"""Saved searches, and telling their members about a new ride that matches them."""

from __future__ import annotations

from datetime import time

from django.utils import timezone

from coop.geo.points import Point
from coop.members.models import User
from coop.notifications.services import notification_send
from rides import matching, selectors
from rides.exceptions import (
    RidesNotAllowed,
)
from rides.models import (
    Offer,
    SearchAlert,
)
from rides.services.common import _check_member, _check_seats

# --- Saved searches ---------------------------------------------------------------------------


def alert_create(
    *,
    member: User,
    origin: Point,
    destination: Point,
    seats: int = 1,
    label: str = "",
    earliest_time: time | None = None,
    latest_time: time | None = None,
) -> SearchAlert:
    _check_member(member)
    _check_seats(seats)
    return SearchAlert.objects.create(
        member=member,
        origin_lat=origin.lat,
        origin_lng=origin.lng,
        destination_lat=destination.lat,
        destination_lng=destination.lng,
        seats=seats,
        label=" ".join(label.split())[:120],
        earliest_time=earliest_time,
        latest_time=latest_time,
    )


def alert_delete(*, member: User, alert: SearchAlert) -> None:
    if alert.member_id != member.pk:
        raise RidesNotAllowed()
    alert.delete()


def alerts_notify(*, offer: Offer) -> int:
    """Tell every member whose saved search this new ride matches. Returns how many."""
    settings = selectors.matching_settings()
    route = selectors.offer_route(offer)
    local = timezone.localtime(offer.departs_at).time()
    sent = 0
    alerts = SearchAlert.objects.filter(seats__lte=offer.seats_left).exclude(member=offer.driver)
    for alert in alerts.select_related("member"):
        if alert.earliest_time and local < alert.earliest_time:
            continue
        if alert.latest_time and local > alert.latest_time:
            continue
        if matching.match_offer(
            route, origin=alert.origin, destination=alert.destination, settings=settings
        ):
            notification_send(
                recipient=alert.member,
                kind="rides.alert_match",
                title=f"A ride for your search: {offer}",
                body=f"Departs {timezone.localtime(offer.departs_at):%a %d %b %H:%M}.",
                url=f"/rides/offers/{offer.pk}/",
            )
            sent += 1
    return sent
