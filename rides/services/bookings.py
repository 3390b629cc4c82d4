"""Bookings of seats: request, accept or decline, cancel, complete, and the unpaid ones expiring.

Seats are the scarce thing: every change of `Offer.seats_left` happens with the offer row
locked (coop.locking), checked against the fresh row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast

from django.db import transaction
from django.utils import timezone

from coop.algorithms import algorithm_register
from coop.geo.points import Point
from coop.locking import lock_for_update
from coop.members.models import User
from coop.members.services import member_lock_active
from coop.money.amounts import Money, percent_of
from coop.notifications.services import notification_send
from governance.parameters import parameter_value
from rides import matching, pools, selectors
from rides.exceptions import (
    InvalidTransition,
    NoSeats,
    NotAMatch,
    NotPaid,
    RideNotOpen,
    RidesNotAllowed,
    WrongCode,
)
from rides.models import (
    HOLDING,
    PAID_STATES,
    Booking,
    BookingStatus,
    Offer,
    TripStatus,
)
from rides.services.common import _check_member, _check_seats, passenger_price_cents
from rides.services.payments import (
    _payment_capture,
    _payment_capture_part,
    _payment_hold,
    _payment_release,
    booking_payment_refresh,
)


def _bookings_left_behind(offer: Offer, holding: Sequence[Booking]) -> list[Booking]:
    """At boarding, a booking whose price is not held on a card cannot board (it would ride
    for free) and a request the driver never answered is declined; both give their seats back.
    Caller holds the lock on the offer."""
    left: list[Booking] = []
    for booking in holding:
        if not booking.is_paid:
            new, body = BookingStatus.EXPIRED, "The seat price was never held on your card."
        elif booking.status == BookingStatus.REQUESTED:
            new, body = BookingStatus.DECLINED, "The driver left without answering your request."
        else:
            continue
        # Guarded: the driver may accept a request at this very moment (booking_accept locks
        # the booking, not the offer).
        if Booking.objects.filter(pk=booking.pk, status=booking.status).update(status=new):
            booking.status = new
            offer.seats_left += booking.seats
            left.append(booking)
            notification_send(
                recipient=booking.passenger,
                kind="rides.booking_left_behind",
                title=f"{offer} left without you",
                body=f"{body} Nothing is charged.",
                url=f"/rides/bookings/{booking.pk}/",
            )
    if left:
        offer.save(update_fields=["seats_left"])
    return left


def bookings_expire_unpaid(*, now: datetime | None = None) -> int:
    """Bookings whose card hold was not authorised by `pay_by` release their seats (the
    periodic task). Returns how many were released."""
    now = now or timezone.now()
    due = (
        Booking.objects.filter(status__in=HOLDING, pay_by__lte=now)
        .exclude(payment__status__in=PAID_STATES)
        .select_related("offer", "payment")
    )
    released: list[Booking] = []
    for candidate in due:
        if booking_payment_refresh(booking=candidate).is_paid:
            continue
        with transaction.atomic():
            offer, booking = _lock_offer_and_booking(candidate)
            # Re-checked on the fresh rows. A webhook authorising the hold right after this
            # read is harmless: the release below cancels that hold at Stripe.
            if booking.status not in HOLDING or booking.is_paid:
                continue
            offer.seats_left += booking.seats
            offer.save(update_fields=["seats_left"])
            booking.status = BookingStatus.EXPIRED
            booking.save(update_fields=["status"])
            notification_send(
                recipient=booking.passenger,
                kind="rides.booking_expired",
                title=f"Your seat on {offer} was released",
                body="The seat price was not held on your card in time. Book again if seats "
                "are left.",
                url=f"/rides/offers/{offer.pk}/",
            )
            notification_send(
                recipient=offer.driver,
                kind="rides.booking_expired",
                title=f"An unpaid booking on {offer} was released",
                url=f"/rides/offers/{offer.pk}/",
            )
        released.append(booking)
    for booking in released:
        _payment_release(booking)
    return len(released)


# --- Bookings ---------------------------------------------------------------------------------


def booking_request(
    *, passenger: User, offer: Offer, seats: int, pickup: Point, dropoff: Point
) -> Booking:
    """Book seats: accepted at once on instant rides, otherwise waiting for the driver. The seats
    are held either way, and the price is held on the passenger's card until after the trip."""
    _check_member(passenger)
    _check_seats(seats)
    if offer.driver_id == passenger.pk:
        raise RidesNotAllowed("You cannot book your own ride.")
    settings = selectors.matching_settings()
    # The passenger's chosen points are where the driver stops: no walking on top of them.
    door_to_door = matching.Settings(
        road_factor=settings.road_factor,
        speed_kmh=settings.speed_kmh,
        max_walk_km=0,
        min_share_percent=settings.min_share_percent,
    )
    match = matching.match_offer(
        selectors.offer_route(offer), origin=pickup, destination=dropoff, settings=door_to_door
    )
    if match is None:
        raise NotAMatch(fields={"pickup": ["Too far off the driver's route."]})
    with transaction.atomic():
        (offer,) = lock_for_update(offer)
        if offer.status != TripStatus.SCHEDULED or offer.departs_at <= timezone.now():
            raise RideNotOpen()
        member_lock_active(passenger, offer.driver)
        if offer.seats_left < seats:
            raise NoSeats(
                f"Only {offer.seats_left} seat(s) left on this ride.",
                fields={"seats": [f"At most {offer.seats_left}."]},
            )
        if offer.bookings.filter(passenger=passenger, status__in=HOLDING).exists():
            raise InvalidTransition("You already have a booking on this ride.")
        # The whole car under the lock: nobody can book in between and make it too long.
        booked = offer.bookings.filter(status__in=HOLDING).order_by("id")
        in_car = pools.match_in_car(
            selectors.pool_offer(offer, booked), match, settings=door_to_door
        )
        if in_car is None:
            raise NotAMatch(
                "With the passengers already booked, the driver's detour would be too long.",
                fields={"pickup": ["Too far off the route with the passengers already booked."]},
            )
        match = in_car
        offer.seats_left -= seats
        offer.save(update_fields=["seats_left"])
        price = passenger_price_cents(offer=offer, shared_km=match.shared_km, seats=seats)
        booking = Booking.objects.create(
            offer=offer,
            passenger=passenger,
            seats=seats,
            pickup_lat=pickup.lat,
            pickup_lng=pickup.lng,
            dropoff_lat=dropoff.lat,
            dropoff_lng=dropoff.lng,
            shared_km=round(match.shared_km, 3),
            price_cents=price,
            currency=offer.currency,
            status=BookingStatus.ACCEPTED if offer.instant_booking else BookingStatus.REQUESTED,
            pay_by=(
                timezone.now() + timedelta(minutes=parameter_value("rides.payment_hold_minutes"))
                if price > 0
                else None
            ),
        )
        notification_send(
            recipient=offer.driver,
            kind="rides.booking_new",
            title=(
                f"{passenger.display_name} booked {seats} seat(s) on {offer}"
                if offer.instant_booking
                else f"{passenger.display_name} asks for {seats} seat(s) on {offer}"
            ),
            url=f"/rides/offers/{offer.pk}/",
        )
    if booking.price_cents > 0:
        try:
            _payment_hold(booking)
        except Exception:
            # No hold, no booking: give the seats back before reporting the failure.
            _booking_close(booking, status=BookingStatus.CANCELLED)
            raise
    return booking


def _lock_offer_and_booking(booking: Booking) -> tuple[Offer, Booking]:
    """Both rows in one call, so every caller takes the locks in the same order."""
    offer, locked = lock_for_update(booking.offer, booking)
    return cast("Offer", offer), cast("Booking", locked)


def _booking_close(booking: Booking, *, status: str) -> Booking:
    """Cancel or decline a booking that holds seats and give the seats back."""
    with transaction.atomic():
        offer, booking = _lock_offer_and_booking(booking)
        if booking.status not in HOLDING:
            raise InvalidTransition(
                f"This booking is already {booking.get_status_display().lower()}."
            )
        offer.seats_left += booking.seats
        offer.save(update_fields=["seats_left"])
        booking.status = status
        booking.save(update_fields=["status"])
    return booking


def booking_accept(*, driver: User, booking: Booking) -> Booking:
    if booking.offer.driver_id != driver.pk:
        raise RidesNotAllowed("Only the driver accepts bookings.")
    with transaction.atomic():
        (booking,) = lock_for_update(booking)
        if booking.status != BookingStatus.REQUESTED:
            raise InvalidTransition("Only a booking waiting for the driver can be accepted.")
        booking.status = BookingStatus.ACCEPTED
        booking.save(update_fields=["status"])
        notification_send(
            recipient=booking.passenger,
            kind="rides.booking_accepted",
            title=f"Your seat on {booking.offer} is confirmed",
            url=f"/rides/bookings/{booking.pk}/",
        )
    return booking


def booking_decline(*, driver: User, booking: Booking) -> Booking:
    if booking.offer.driver_id != driver.pk:
        raise RidesNotAllowed("Only the driver declines bookings.")
    if booking.status != BookingStatus.REQUESTED:
        raise InvalidTransition("Only a booking waiting for the driver can be declined.")
    booking = _booking_close(booking, status=BookingStatus.DECLINED)
    notification_send(
        recipient=booking.passenger,
        kind="rides.booking_declined",
        title=f"The driver could not take you on {booking.offer}",
        body="Nothing is charged.",
        url="/rides/search/",
    )
    _payment_release(booking)
    return booking


CANCELLATION = algorithm_register(
    slug="rides.cancellation",
    name="Ride cancellation charge",
    version="1.0",
    description=(
        "A driver who cancels charges nobody. A passenger who cancels at least the free "
        "cancellation time before departure pays nothing; later, they pay the late-cancellation "
        "share of the seat price to the driver, and the rest of the card hold is released."
    ),
    parameter_keys=("rides.free_cancel_hours", "rides.late_cancel_basis_points"),
)


def cancellation_charge_cents(*, booking: Booking, by_passenger: bool, now: datetime) -> int:
    """The published cancellation rule (algorithm `rides.cancellation`).

    A driver who cancels charges nothing. A passenger who cancels at least
    `rides.free_cancel_hours` before departure pays nothing; later, they pay
    `rides.late_cancel_basis_points` of the seat price to the driver (rounded half up).
    """
    if not by_passenger:
        return 0
    free_until = booking.offer.departs_at - timedelta(
        hours=parameter_value("rides.free_cancel_hours")
    )
    if now <= free_until:
        return 0
    share = parameter_value("rides.late_cancel_basis_points")
    return percent_of(Money(booking.price_cents, booking.currency), basis_points=share).cents


def booking_cancel(*, user: User, booking: Booking) -> Booking:
    """The passenger or the driver cancels before the ride leaves. The card hold is released,
    except for the late-cancellation share that `cancellation_charge_cents` gives the driver."""
    offer = booking.offer
    if user.pk not in (booking.passenger_id, offer.driver_id):
        raise RidesNotAllowed("Only the passenger or the driver can cancel a booking.")
    if offer.status != TripStatus.SCHEDULED:
        raise InvalidTransition("The ride has left; it can no longer be cancelled.")
    by_passenger = user.pk == booking.passenger_id
    charge = cancellation_charge_cents(
        booking=booking, by_passenger=by_passenger, now=timezone.now()
    )
    booking = _booking_close(booking, status=BookingStatus.CANCELLED)
    other = offer.driver if by_passenger else booking.passenger
    notification_send(
        recipient=other,
        kind="rides.booking_cancelled",
        title=f"A booking on {offer} was cancelled",
        url=f"/rides/offers/{offer.pk}/",
    )
    if charge and _payment_capture_part(booking, charge):
        notification_send(
            recipient=booking.passenger,
            kind="rides.late_cancellation",
            title="You cancelled late: part of the seat price goes to the driver",
            body=f"{Money(charge, booking.currency)} is charged; the rest of the hold is released.",
            url=f"/rides/bookings/{booking.pk}/",
        )
    else:
        _payment_release(booking)
    return booking


def booking_complete(*, user: User, booking: Booking, code: str) -> Booking:
    """The completion proof: the passenger's booking code, entered by the passenger or given to
    the driver at drop-off. Then the held payment is captured."""
    if user.pk not in (booking.passenger_id, booking.offer.driver_id):
        raise RidesNotAllowed("Only the passenger or the driver confirms a ride.")
    if code.strip() != booking.code:
        raise WrongCode(fields={"code": ["Not this booking's code."]})
    booking_payment_refresh(booking=booking)
    with transaction.atomic():
        offer, booking = _lock_offer_and_booking(booking)
        if booking.status != BookingStatus.ACCEPTED:
            raise InvalidTransition("Only an accepted booking can be completed.")
        if offer.status not in (TripStatus.UNDER_WAY, TripStatus.DONE):
            raise InvalidTransition("The ride has not left yet.")
        if not booking.is_paid:  # the fresh row: a webhook may have just authorised the hold
            raise NotPaid()
        booking.status = BookingStatus.COMPLETED
        booking.completed_at = timezone.now()
        booking.save(update_fields=["status", "completed_at"])
        grams = round(booking.shared_km * booking.seats * parameter_value("rides.co2_grams_per_km"))
        for recipient in (booking.passenger, offer.driver):
            notification_send(
                recipient=recipient,
                kind="rides.booking_completed",
                title=f"Ride {offer} completed",
                body=f"Sharing it saved about {grams / 1000:.1f} kg of CO2.",
                url=f"/rides/bookings/{booking.pk}/",
            )
    _payment_capture(booking)
    return booking
