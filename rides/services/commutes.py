"""Regular trips: a commute entered once keeps its rides created two weeks ahead."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from coop.exceptions import InvalidInput
from coop.geo.points import Point
from coop.members.models import User
from rides.exceptions import (
    PriceAboveCost,
)
from rides.models import (
    Commute,
    Offer,
)
from rides.services.common import (
    Place,
    _check_label,
    _check_member,
    _check_seats,
    price_cap_cents,
    road_km,
)
from rides.services.offers import offer_create

# A regular trip creates its rides this many days ahead (the daily task keeps the horizon).
COMMUTE_HORIZON_DAYS = 14


# --- Regular trips ----------------------------------------------------------------------------


def commute_create(
    *,
    driver: User,
    origin: Place,
    destination: Place,
    weekdays: Sequence[int],
    departure_time: time,
    until: date,
    seats: int,
    price_per_seat_cents: int | None = None,
    instant_booking: bool = True,
) -> Commute:
    """A commute entered once; it creates the rides of the next two weeks, and a daily task
    keeps creating them until `until`."""
    _check_member(driver)
    _check_seats(seats)
    days = sorted(set(weekdays))
    if not days or any(not isinstance(d, int) or not 1 <= d <= 7 for d in days):
        raise InvalidInput(fields={"weekdays": ["Give weekdays from 1 (Monday) to 7 (Sunday)."]})
    if until <= timezone.localdate():
        raise InvalidInput(fields={"until": ["Must be after today."]})
    distance = road_km((origin.point, destination.point))
    cap = price_cap_cents(distance_km=distance, seats=seats)
    price = cap if price_per_seat_cents is None else price_per_seat_cents
    if price > cap:
        raise PriceAboveCost(fields={"price_per_seat_cents": [f"At most {cap}."]})
    commute = Commute.objects.create(
        driver=driver,
        origin_label=_check_label(origin.label, "origin.label"),
        origin_lat=origin.point.lat,
        origin_lng=origin.point.lng,
        destination_label=_check_label(destination.label, "destination.label"),
        destination_lat=destination.point.lat,
        destination_lng=destination.point.lng,
        weekdays=days,
        departure_time=departure_time,
        until=until,
        seats=seats,
        price_per_seat_cents=price,
        instant_booking=instant_booking,
    )
    commute_extend(commute=commute)
    return commute


def commute_extend(*, commute: Commute) -> list[Offer]:
    """Create the commute's missing rides up to the horizon. Idempotent."""
    now = timezone.now()
    today = timezone.localdate()
    last = min(commute.until, today + timedelta(days=COMMUTE_HORIZON_DAYS))
    existing = set(commute.offers.values_list("departs_at", flat=True))
    created = []
    day = today
    while day <= last:
        departs_at = timezone.make_aware(datetime.combine(day, commute.departure_time))
        if day.isoweekday() in commute.weekdays and departs_at > now and departs_at not in existing:
            created.append(
                offer_create(
                    driver=commute.driver,
                    origin=Place(
                        Point(commute.origin_lat, commute.origin_lng), commute.origin_label
                    ),
                    destination=Place(
                        Point(commute.destination_lat, commute.destination_lng),
                        commute.destination_label,
                    ),
                    departs_at=departs_at,
                    seats=commute.seats,
                    price_per_seat_cents=commute.price_per_seat_cents,
                    instant_booking=commute.instant_booking,
                    commute=commute,
                )
            )
        day += timedelta(days=1)
    return created
