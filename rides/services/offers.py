"""Drivers' offers and their trip status (scheduled, boarding, under way, done or cancelled)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction

from coop.exceptions import InvalidInput
from coop.locking import lock_for_update
from coop.members.models import User
from coop.members.services import member_lock_active
from coop.money.amounts import Money, default_currency
from coop.notifications.services import notification_send
from governance.parameters import parameter_value
from rides import matching, selectors
from rides.exceptions import (
    InvalidTransition,
    PriceAboveCost,
    RidesNotAllowed,
)
from rides.models import (
    HOLDING,
    Booking,
    BookingStatus,
    Commute,
    FuelType,
    Offer,
    TripStatus,
)
from rides.services.alerts import alerts_notify
from rides.services.bookings import _bookings_left_behind
from rides.services.common import (
    Place,
    _check_future,
    _check_label,
    _check_member,
    _check_seats,
    _driver_limits,
    price_cap_cents,
    road_km,
)
from rides.services.live import _broadcast
from rides.services.payments import _payment_release, booking_payment_refresh

MAX_WAYPOINTS = 5


# --- Offers ------------------------------------------------------------------------------------


def offer_create(
    *,
    driver: User,
    origin: Place,
    destination: Place,
    departs_at: datetime,
    seats: int,
    price_per_seat_cents: int | None = None,
    waypoints: Sequence[Place] = (),
    vehicle: str = "",
    vehicle_seats: int = 5,
    fuel_type: str = FuelType.PETROL,
    luggage: bool = True,
    bike: bool = False,
    max_two_in_back: bool = False,
    pets: bool = False,
    smoking: bool = False,
    quiet: bool = False,
    instant_booking: bool = False,
    max_detour_km: float | None = None,
    max_detour_minutes: float | None = None,
    commute: Commute | None = None,
) -> Offer:
    """Offer the empty seats of a trip. Without a price, the suggested (capped) price applies."""
    _check_member(driver)
    _check_future(departs_at)
    _check_seats(seats)
    problems: dict[str, list[str]] = {}
    if len(waypoints) > MAX_WAYPOINTS:
        problems["waypoints"] = [f"At most {MAX_WAYPOINTS} stops on the way."]
    if not 2 <= vehicle_seats <= 9:
        problems["vehicle_seats"] = ["Between 2 and 9."]
    elif seats > vehicle_seats - 1:
        problems["seats"] = ["More seats than the vehicle has besides the driver's."]
    if fuel_type not in FuelType.values:
        problems["fuel_type"] = [f"One of {', '.join(FuelType.values)}."]
    origin_label = _check_label(origin.label, "origin.label")
    destination_label = _check_label(destination.label, "destination.label")
    route = (origin.point, *(w.point for w in waypoints), destination.point)
    distance = road_km(route)
    if matching.great_circle_km(origin.point, destination.point) < 0.5:
        problems["destination"] = ["The destination must be at least 500 m from the origin."]
    chosen = _driver_limits(max_detour_km, max_detour_minutes, problems)
    if problems:
        raise InvalidInput(fields=problems)
    cap = price_cap_cents(distance_km=distance, seats=seats)
    if price_per_seat_cents is None:
        price_per_seat_cents = cap
    if price_per_seat_cents < 0:
        raise InvalidInput(fields={"price_per_seat_cents": ["Cannot be negative."]})
    if price_per_seat_cents > cap:
        raise PriceAboveCost(
            f"The most a seat can cost on this trip is {Money(cap, default_currency())}: "
            f"{distance:.1f} road km x {parameter_value('rides.cost_per_km_cents')} cents "
            f"shared among {seats + 1} people.",
            fields={"price_per_seat_cents": [f"At most {Money(cap, default_currency())}."]},
        )
    settings = selectors.matching_settings()
    box = matching.reach_box(
        route, matching.reach_margin_km(route, chosen["max_detour_km"], settings.road_factor)
    )
    with transaction.atomic():
        member_lock_active(driver)
        offer = Offer.objects.create(
            driver=driver,
            commute=commute,
            origin_label=origin_label,
            origin_lat=origin.point.lat,
            origin_lng=origin.point.lng,
            destination_label=destination_label,
            destination_lat=destination.point.lat,
            destination_lng=destination.point.lng,
            waypoints=[
                {"label": _check_label(w.label, "waypoints"), **w.point.as_dict()}
                for w in waypoints
            ],
            departs_at=departs_at,
            seats=seats,
            seats_left=seats,
            price_per_seat_cents=price_per_seat_cents,
            currency=default_currency(),
            distance_km=round(distance, 3),
            max_detour_km=chosen["max_detour_km"],
            max_detour_minutes=chosen["max_detour_minutes"],
            max_detour_percent=float(parameter_value("rides.max_detour_percent")),
            reach_min_lat=box.min_lat,
            reach_max_lat=box.max_lat,
            reach_min_lng=box.min_lng,
            reach_max_lng=box.max_lng,
            vehicle=vehicle.strip()[:80],
            vehicle_seats=vehicle_seats,
            fuel_type=fuel_type,
            luggage=luggage,
            bike=bike,
            max_two_in_back=max_two_in_back,
            pets=pets,
            smoking=smoking,
            quiet=quiet,
            instant_booking=instant_booking,
        )
        transaction.on_commit(lambda: alerts_notify(offer=offer))
    return offer


NEXT_STATUS = {
    TripStatus.SCHEDULED: TripStatus.BOARDING,
    TripStatus.BOARDING: TripStatus.UNDER_WAY,
    TripStatus.UNDER_WAY: TripStatus.DONE,
}
_STATUS_NEWS = {
    TripStatus.BOARDING: "Your driver is at the pickup: time to board.",
    TripStatus.UNDER_WAY: "Your ride is under way.",
    TripStatus.DONE: "Your ride has arrived. Confirm it with your booking code.",
    TripStatus.CANCELLED: "The driver cancelled this ride; your payment is released.",
}


def offer_advance(*, driver: User, offer: Offer, status: str) -> Offer:
    """Move the trip along scheduled -> boarding -> under way -> done (driver only), and tell
    the passengers; or cancel it before it leaves, which cancels every booking."""
    if offer.driver_id != driver.pk:
        raise RidesNotAllowed("Only the driver updates the trip.")
    if status not in TripStatus.values:
        raise InvalidInput(fields={"status": [f"One of {', '.join(TripStatus.values)}."]})
    if status == TripStatus.BOARDING:
        # Stripe calls stay outside the lock; the boarding check below reads the fresh rows.
        for booking in offer.bookings.filter(status__in=HOLDING).select_related("payment"):
            booking_payment_refresh(booking=booking)
    with transaction.atomic():
        (offer,) = lock_for_update(offer)
        current = TripStatus(offer.status)
        allowed = status == NEXT_STATUS.get(current) or (
            status == TripStatus.CANCELLED and current == TripStatus.SCHEDULED
        )
        if not allowed:
            raise InvalidTransition(
                f"A ride that is {current.label.lower()} cannot become {status}."
            )
        offer.status = status
        offer.save(update_fields=["status"])
        holding = list(
            offer.bookings.filter(status__in=HOLDING).select_related("passenger", "payment")
        )
        left_behind: list[Booking] = []
        if status == TripStatus.CANCELLED:
            offer.bookings.filter(status__in=HOLDING).update(status=BookingStatus.CANCELLED)
        elif status == TripStatus.BOARDING:
            left_behind = _bookings_left_behind(offer, holding)
        for booking in holding:
            if booking in left_behind:
                continue
            if status == TripStatus.CANCELLED or booking.status == BookingStatus.ACCEPTED:
                notification_send(
                    recipient=booking.passenger,
                    kind="rides.trip_status",
                    title=f"{offer}: {TripStatus(status).label}",
                    body=_STATUS_NEWS[TripStatus(status)],
                    url=f"/rides/bookings/{booking.pk}/",
                )
        _broadcast(offer, {"type": "status", "status": status})
    for booking in holding if status == TripStatus.CANCELLED else left_behind:
        _payment_release(booking)
    return offer
