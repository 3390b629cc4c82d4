"""Writes of the rides service: offers (and commutes), bookings, trip status, chat, alerts.

Seats are the scarce thing: every change of `Offer.seats_left` happens with the offer row
locked (coop.locking), checked against the fresh row. Stripe calls (hold at booking, capture
after the trip, release on cancellation) run outside our transactions.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import cast

from django.db import transaction
from django.utils import timezone

from coop.algorithms import algorithm_register
from coop.exceptions import DomainError, InvalidInput
from coop.geo.points import Point
from coop.locking import lock_for_update
from coop.members.models import User
from coop.members.services import member_lock_active
from coop.money.amounts import Money, default_currency, percent_of
from coop.notifications.services import notification_send
from governance.audit import audit_record
from governance.parameters import parameter_value
from rides import matching, pools, selectors
from rides.exceptions import (
    InvalidTransition,
    NoSeats,
    NotAMatch,
    NotPaid,
    PriceAboveCost,
    RideNotOpen,
    RidesNotAllowed,
    WrongCode,
)
from rides.models import (
    HOLDING,
    MAX_SEATS,
    PAID_STATES,
    Booking,
    BookingStatus,
    Commute,
    FuelType,
    Message,
    Offer,
    PoolRun,
    PoolRunStatus,
    SearchAlert,
    TripStatus,
)

logger = logging.getLogger(__name__)

MAX_WAYPOINTS = 5
# A regular trip creates its rides this many days ahead (the daily task keeps the horizon).
COMMUTE_HORIZON_DAYS = 14


@dataclass(frozen=True, slots=True)
class Place:
    point: Point
    label: str


# --- Price: published formula --------------------------------------------------------------


def road_km(route: Sequence[Point]) -> float:
    return matching.route_length_km(route) * selectors.matching_settings().road_factor


def price_cap_cents(*, distance_km: float, seats: int) -> int:
    """The cost-sharing cap per seat: road km x cost per km, shared among the driver and the
    seats offered, rounded down to the cent. It is also the suggested price."""
    trip_cost = distance_km * parameter_value("rides.cost_per_km_cents")
    return math.floor(trip_cost / (seats + 1))


def passenger_price_cents(*, offer: Offer, shared_km: float, seats: int) -> int:
    """A passenger riding part of the trip pays that part of the seat price (rounded up)."""
    share = 1.0 if offer.distance_km <= 0 else min(1.0, shared_km / offer.distance_km)
    return seats * math.ceil(offer.price_per_seat_cents * share)


# --- Validation helpers ----------------------------------------------------------------------


def _check_member(user: User) -> None:
    if not user.in_good_standing:
        raise RidesNotAllowed("Only members in good standing can share rides.")


def _check_seats(seats: int, *, field: str = "seats") -> None:
    if isinstance(seats, bool) or not isinstance(seats, int) or not 1 <= seats <= MAX_SEATS:
        raise InvalidInput(
            code="invalid_seats",
            message=f"Seats must be between 1 and {MAX_SEATS}.",
            fields={field: [f"Between 1 and {MAX_SEATS}."]},
        )


def _check_future(departs_at: datetime) -> None:
    if timezone.is_naive(departs_at):
        raise InvalidInput(
            code="invalid_departure",
            message="Give the departure time with its time zone.",
            fields={"departs_at": ["Include a UTC offset."]},
        )
    if departs_at <= timezone.now():
        raise InvalidInput(
            code="departure_in_past",
            message="The departure time has already passed.",
            fields={"departs_at": ["Must be in the future."]},
        )


def _check_label(label: str, field: str) -> str:
    label = " ".join(label.split())
    if not label or len(label) > 120:
        raise InvalidInput(fields={field: ["Give a name of 1 to 120 characters."]})
    return label


def _driver_limits(
    max_detour_km: float | None, max_detour_minutes: float | None, problems: dict[str, list[str]]
) -> dict[str, float]:
    """The driver's own detour limits, the co-op's at most (and by default)."""
    limits = {
        "max_detour_km": (max_detour_km, parameter_value("rides.max_detour_km")),
        "max_detour_minutes": (max_detour_minutes, parameter_value("rides.max_detour_minutes")),
    }
    chosen: dict[str, float] = {}
    for name, (value, cap) in limits.items():
        if value is None:
            chosen[name] = float(cap)
        elif not 0 <= value <= cap:
            problems[name] = [f"Between 0 and {cap} (the co-op's limit)."]
        else:
            chosen[name] = float(value)
    return chosen


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


# --- Payment (coop.money): held at booking, captured after the trip ---------------------------


def _payment_hold(booking: Booking) -> None:
    from coop.money.ledger import Cause, member_account  # noqa: PLC0415 (money loads late)
    from coop.money.models import AccountKind, PaymentPurpose  # noqa: PLC0415
    from coop.money.payments import payment_start  # noqa: PLC0415

    driver = booking.offer.driver
    payment = payment_start(
        payer=booking.passenger,
        amount=Money(booking.price_cents, booking.currency),
        purpose=PaymentPurpose.RIDE,
        cause=Cause(service="rides", cause_type="booking", cause_id=str(booking.pk)),
        splits=[(member_account(driver, AccountKind.MEMBER_PAYABLE, currency=booking.currency), 1)],
        manual_capture=True,
    )
    Booking.objects.filter(pk=booking.pk).update(payment=payment)
    booking.payment = payment


def _payment_capture(booking: Booking) -> None:
    from coop.money.payments import deposit_capture  # noqa: PLC0415

    if booking.payment is not None:
        deposit_capture(
            payment=booking.payment, amount=Money(booking.price_cents, booking.currency)
        )


def _payment_capture_part(booking: Booking, cents: int) -> bool:
    """Capture `cents` of the held seat price (the rest is released); False when there is no
    authorised hold to capture from (the passenger never confirmed their card)."""
    from coop.money.exceptions import InvalidPaymentState  # noqa: PLC0415
    from coop.money.payments import deposit_capture  # noqa: PLC0415

    if booking.payment is None:
        return False
    try:
        deposit_capture(payment=booking.payment, amount=Money(cents, booking.currency))
    except InvalidPaymentState:
        return False
    return True


def booking_payment_refresh(*, booking: Booking) -> Booking:
    """Ask Stripe whether a hold we still see as pending is authorised by now: its webhook may
    lag behind the passenger's card form (and localstripe sends none for holds). Only ever
    moves the payment forward to authorised; the money is booked when it is captured."""
    from coop.money.models import PaymentStatus  # noqa: PLC0415
    from coop.money.payments import payment_apply_intent  # noqa: PLC0415
    from coop.money.stripe_gateway import payment_intent_retrieve  # noqa: PLC0415

    payment = booking.payment
    if payment is None or payment.status != PaymentStatus.PENDING:
        return booking
    intent = payment_intent_retrieve(payment.stripe_id)
    if intent.get("status") == "requires_capture":
        # created=0: a poll is not an event, so it leaves the ordering of real events alone.
        payment_apply_intent(intent=intent, stripe_event_id=f"poll:{payment.stripe_id}", created=0)
        payment.refresh_from_db()
    return booking


def _payment_release(booking: Booking) -> None:
    from coop.money.models import PaymentStatus  # noqa: PLC0415
    from coop.money.payments import deposit_release  # noqa: PLC0415

    payment = booking.payment
    if payment is not None and payment.status not in (
        PaymentStatus.SUCCEEDED,
        PaymentStatus.CANCELED,
    ):
        deposit_release(payment=payment)


# --- Chat -------------------------------------------------------------------------------------


def message_post(*, author: User, offer: Offer, body: str) -> Message:
    body = body.strip()
    if not body or len(body) > 2000:
        raise InvalidInput(fields={"body": ["Write 1 to 2000 characters."]})
    if not selectors.is_on_ride(author, offer):
        raise RidesNotAllowed("Only the driver and the passengers of a ride can chat.")
    with transaction.atomic():
        message = Message.objects.create(offer=offer, author=author, body=body)
        _broadcast(
            offer,
            {
                "type": "message",
                "id": message.pk,
                "author": author.display_name,
                "body": body,
                "created_at": message.created_at.isoformat(),
            },
        )
    return message


def _broadcast(offer: Offer, event: dict[str, object]) -> None:
    """Push an event to everybody watching the ride's live page, once committed."""
    from rides.consumers import ride_group_send  # noqa: PLC0415 (channels loads late)

    offer_id = offer.pk
    transaction.on_commit(lambda: ride_group_send(offer_id, event))


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


# --- Commuter pools ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PoolSkipped:
    place: selectors.PoolPlace
    reason: str


@dataclass(frozen=True, slots=True)
class PoolBooked:
    bookings: list[Booking]
    skipped: list[PoolSkipped]


def pool_book(*, coordinator: User, depart_after: datetime, depart_before: datetime) -> PoolBooked:
    """Turn the commuter pool of a window into bookings, one per assigned saved search.

    Caller has checked that `coordinator` may act for the board. Each seat goes through the
    normal booking (seats locked, never oversold; the driver's approval where the ride asks for
    it), and the passenger is asked to hold the price on their card within the payment window,
    or the seat is released: nobody pays for a seat they did not confirm. A place that can no
    longer be booked (seats gone meanwhile, the member no longer in good standing) is skipped
    with its reason."""
    proposal = selectors.pool_proposal(depart_after=depart_after, depart_before=depart_before)
    booked: list[Booking] = []
    skipped: list[PoolSkipped] = []
    for place in proposal.places:
        passenger = place.alert.member
        try:
            booking = booking_request(
                passenger=passenger,
                offer=place.offer,
                seats=place.alert.seats,
                pickup=place.match.pickup,
                dropoff=place.match.dropoff,
            )
        except DomainError as error:
            skipped.append(PoolSkipped(place, error.message))
            continue
        booked.append(booking)
        pay_by = (
            f" by {timezone.localtime(booking.pay_by):%H:%M}" if booking.pay_by is not None else ""
        )
        notification_send(
            recipient=passenger,
            kind="rides.pool_seat",
            title=f"The commuter pool found you a seat: {place.offer}",
            body=(
                f"For your saved search “{place.alert}”. Hold the price on your card{pay_by} to "
                "keep it; otherwise it is released and nothing is charged."
            ),
            url=f"/rides/offers/{place.offer.pk}/",
        )
    audit_record(
        actor=coordinator,
        action="rides.pool_book",
        target=f"{depart_after.isoformat()}/{depart_before.isoformat()}",
        details={
            "bookings": [b.pk for b in booked],
            "skipped": [{"alert": s.place.alert.pk, "reason": s.reason} for s in skipped],
            "optimal": proposal.optimal,
        },
    )
    return PoolBooked(bookings=booked, skipped=skipped)


def pool_run_start(
    *, coordinator: User, depart_after: datetime, depart_before: datetime
) -> PoolRun:
    """Have the pool of a window worked out in the background (rides_pool_work_out); the board's
    page shows "working out" until the run is done. Caller has checked that `coordinator` may
    act for the board."""
    run = PoolRun.objects.create(
        depart_after=depart_after, depart_before=depart_before, requested_by=coordinator
    )
    transaction.on_commit(lambda: _enqueue_pool_work_out(run.pk))
    return run


def _enqueue_pool_work_out(run_id: int) -> None:
    from rides.tasks import rides_pool_work_out  # noqa: PLC0415 (tasks import us)

    rides_pool_work_out.enqueue(run_id=run_id)


def pool_run_work_out(*, run: PoolRun) -> PoolRun:
    """Work out the run's proposal and store it; a run already finished is left as it is."""
    if run.status != PoolRunStatus.WORKING:
        return run
    try:
        proposal = selectors.pool_proposal(
            depart_after=run.depart_after, depart_before=run.depart_before
        )
    except Exception:
        logger.exception("Commuter pool run %s failed", run.pk)
        PoolRun.objects.filter(pk=run.pk, status=PoolRunStatus.WORKING).update(
            status=PoolRunStatus.FAILED, finished_at=timezone.now()
        )
        raise
    # Guarded: two deliveries of the task store one result.
    PoolRun.objects.filter(pk=run.pk, status=PoolRunStatus.WORKING).update(
        status=PoolRunStatus.DONE,
        result=selectors.pool_proposal_to_json(proposal),
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    return run
