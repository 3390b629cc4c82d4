"""`/api/v1/rides`: offers, matches, bookings, trip status, chat, saved searches, commutes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from ninja import Query, Router, Status
from ninja.pagination import paginate

from coop.api import error_responses
from coop.exceptions import InvalidInput, NotFound
from coop.geo.points import Point
from coop.geo.schemas import PointSchema
from coop.members.models import User
from coop.pagination import PageNumberPagination
from governance.board import board_action_required
from governance.parameters import parameter_value
from rides import matching, selectors, services
from rides.models import MAX_SEATS, Booking, Offer, SearchAlert
from rides.schemas import (
    AlertIn,
    AlertOut,
    BookingIn,
    BookingOut,
    Co2Out,
    CommuteIn,
    CommuteOut,
    CompleteIn,
    FuelTypeName,
    MatchOut,
    MemberRef,
    MessageIn,
    MessageOut,
    OfferIn,
    OfferOut,
    OptionsSchema,
    PaymentOut,
    PlaceSchema,
    PoolBookedOut,
    PoolPlaceOut,
    PoolSkippedOut,
    PoolWindowIn,
    QuoteOut,
    StatusIn,
    VehicleSchema,
)

router = Router(tags=["rides"])

# A search looks at most this far ahead in one window.
MAX_WINDOW = timedelta(days=31)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _place(point: Point, label: str) -> PlaceSchema:
    return PlaceSchema(lat=point.lat, lng=point.lng, label=label)


class _Mapped(Sequence[Any]):
    """Rows converted only when the paginator slices them: a page costs the same however many
    rows match."""

    def __init__(self, rows: QuerySet[Any], convert: Callable[[Any], Any]) -> None:
        self._rows, self._convert = rows, convert

    def __len__(self) -> int:
        return self._rows.count()

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self._convert(row) for row in self._rows[index]]
        return self._convert(self._rows[index])


def _waypoints(offer: Offer, *, exact: bool) -> list[PlaceSchema]:
    places = [PlaceSchema(**w) for w in offer.waypoints]
    if exact:
        return places
    return [
        _place(point, place.label)
        for point, place in zip(selectors.offer_waypoints_for_public(offer), places, strict=True)
    ]


def offer_out(
    offer: Offer, viewer: User, *, on_ride: bool | None = None, with_co2: bool = False
) -> OfferOut:
    if on_ride is None:
        on_ride = offer.driver_id == viewer.pk
    origin, destination = offer.origin, offer.destination
    if not on_ride:
        origin, destination = selectors.offer_ends_for_public(offer)
    return OfferOut(
        id=offer.pk,
        driver=MemberRef(id=offer.driver.pk, display_name=offer.driver.display_name),
        origin=_place(origin, offer.origin_label),
        destination=_place(destination, offer.destination_label),
        waypoints=_waypoints(offer, exact=on_ride),
        departs_at=offer.departs_at,
        seats=offer.seats,
        seats_left=offer.seats_left,
        price_per_seat_cents=offer.price_per_seat_cents,
        price_cap_cents=services.price_cap_cents(distance_km=offer.distance_km, seats=offer.seats),
        currency=offer.currency,
        distance_km=offer.distance_km,
        vehicle=VehicleSchema(
            description=offer.vehicle,
            seats=offer.vehicle_seats,
            fuel_type=cast("FuelTypeName", offer.fuel_type),
        ),
        options=OptionsSchema(
            luggage=offer.luggage,
            bike=offer.bike,
            max_two_in_back=offer.max_two_in_back,
            pets=offer.pets,
            smoking=offer.smoking,
            quiet=offer.quiet,
        ),
        instant_booking=offer.instant_booking,
        status=offer.status,
        limits={
            "max_detour_km": offer.max_detour_km,
            "max_detour_minutes": offer.max_detour_minutes,
            "max_detour_percent": offer.max_detour_percent,
        },
        co2_saved_grams=selectors.co2_saved_for_offer(offer) if with_co2 else 0,
    )


def booking_out(booking: Booking, viewer: User) -> BookingOut:
    is_passenger = booking.passenger_id == viewer.pk
    payment = booking.payment
    return BookingOut(
        id=booking.pk,
        offer_id=booking.offer_id,
        passenger=MemberRef(id=booking.passenger.pk, display_name=booking.passenger.display_name),
        seats=booking.seats,
        pickup=PointSchema(lat=booking.pickup_lat, lng=booking.pickup_lng),
        dropoff=PointSchema(lat=booking.dropoff_lat, lng=booking.dropoff_lng),
        shared_km=booking.shared_km,
        price_cents=booking.price_cents,
        currency=booking.currency,
        status=booking.status,
        code=booking.code if is_passenger else None,
        payment=(
            PaymentOut(client_secret=payment.client_secret, status=payment.status)
            if payment is not None and is_passenger
            else None
        ),
        paid=booking.is_paid,
        pay_by=booking.pay_by,
        created_at=booking.created_at,
    )


def _parse_point(text: str, field: str) -> Point:
    try:
        return Point.parse(text)
    except InvalidInput as error:
        raise InvalidInput(
            error.message, code=error.code, fields={field: [error.message]}
        ) from None


@router.get(
    "/offers",
    response={200: list[OfferOut], **error_responses(400, 401)},
    summary="Upcoming rides with seats left, soonest first",
)
@paginate(PageNumberPagination)
def offer_list(request: HttpRequest, *, mine: bool = False) -> Sequence[OfferOut]:
    viewer = _user(request)
    offers = (
        selectors.offer_list(driver=viewer)
        if mine
        else selectors.offer_upcoming(now=timezone.now())
    )
    return _Mapped(offers, lambda offer: offer_out(offer, viewer))


@router.post(
    "/offers",
    response={201: OfferOut, **error_responses(400, 401, 403)},
    summary="Offer the empty seats of a trip (400 price_above_cost over the cost-sharing cap)",
)
def offer_create(request: HttpRequest, payload: OfferIn) -> Status[OfferOut]:
    offer = services.offer_create(
        driver=_user(request),
        origin=services.Place(payload.origin.to_point(), payload.origin.label),
        destination=services.Place(payload.destination.to_point(), payload.destination.label),
        waypoints=[services.Place(w.to_point(), w.label) for w in payload.waypoints],
        departs_at=payload.departs_at,
        seats=payload.seats,
        price_per_seat_cents=payload.price_per_seat_cents,
        vehicle=payload.vehicle.description,
        vehicle_seats=payload.vehicle.seats,
        fuel_type=payload.vehicle.fuel_type,
        instant_booking=payload.instant_booking,
        max_detour_km=payload.max_detour_km,
        max_detour_minutes=payload.max_detour_minutes,
        **payload.options.dict(),
    )
    return Status(201, offer_out(offer, _user(request)))


@router.get(
    "/offers/quote",
    response={200: QuoteOut, **error_responses(400, 401)},
    summary="The suggested price and cap for a trip, with the published formula",
)
def offer_quote(
    request: HttpRequest, origin: str, destination: str, seats: int = Query(1, ge=1, le=MAX_SEATS)
) -> QuoteOut:
    route = (_parse_point(origin, "origin"), _parse_point(destination, "destination"))
    distance = services.road_km(route)
    return QuoteOut(
        distance_km=round(distance, 2),
        cost_per_km_cents=parameter_value("rides.cost_per_km_cents"),
        price_cap_cents=services.price_cap_cents(distance_km=distance, seats=seats),
        formula=(
            "price per seat <= floor(great-circle km x road factor x cost per km / "
            "(seats offered + 1))"
        ),
    )


@router.get("/offers/{offer_id}", response={200: OfferOut, **error_responses(401, 404)})
def offer_get(request: HttpRequest, offer_id: int) -> OfferOut:
    offer = selectors.offer_get(offer_id)
    viewer = _user(request)
    return offer_out(offer, viewer, on_ride=selectors.is_on_ride(viewer, offer), with_co2=True)


@router.post(
    "/offers/{offer_id}/status",
    response={200: OfferOut, **error_responses(400, 401, 403, 404, 409)},
    summary="The driver moves the trip along: boarding, under_way, done; or cancels it",
)
def offer_status(request: HttpRequest, offer_id: int, payload: StatusIn) -> OfferOut:
    offer = services.offer_advance(
        driver=_user(request), offer=selectors.offer_get(offer_id), status=payload.status
    )
    return offer_out(offer, _user(request))


def _parse_time(text: str, field: str) -> datetime | None:
    # Parsed here rather than by the schema: the paginated view's query types are plain strings.
    if not text:
        return None
    try:
        value = parse_datetime(text.replace(" ", "+"))  # a "+" unescaped in a URL is a space
    except ValueError:
        value = None
    if value is None:
        raise InvalidInput(fields={field: ["Give a date and time like 2030-05-01T08:00+02:00."]})
    return value


@router.get(
    "/matches",
    response={200: list[MatchOut], **error_responses(400, 401)},
    summary="Rides that can carry me, with pickup, drop-off and why they matched",
)
@paginate(PageNumberPagination)
def match_list(
    request: HttpRequest,
    *,
    origin: str,
    destination: str,
    depart_after: str = "",
    depart_before: str = "",
    seats: int = 1,
    order: str = "score",
) -> Sequence[MatchOut]:
    """Ranked by score unless `order` is `departure` or `distance` (walking, then detour)."""
    origin_point = _parse_point(origin, "origin")
    destination_point = _parse_point(destination, "destination")
    now = timezone.now()
    after = _parse_time(depart_after, "depart_after") or now
    before = _parse_time(depart_before, "depart_before") or after + timedelta(days=1)
    problems: dict[str, list[str]] = {}
    if not 1 <= seats <= MAX_SEATS:
        problems["seats"] = [f"Between 1 and {MAX_SEATS}."]
    if timezone.is_naive(after) or timezone.is_naive(before):
        problems["depart_after"] = ["Give times with a UTC offset."]
    elif before < after:
        problems["depart_before"] = ["Must be after depart_after."]
    elif before - after > MAX_WINDOW:
        problems["depart_before"] = ["Search at most 31 days at once."]
    elif before < now:
        problems["depart_before"] = ["The window has already passed."]
    if order not in matching.ORDERS:
        problems["order"] = [f"One of {', '.join(matching.ORDERS)}."]
    if problems:
        raise InvalidInput(fields=problems)
    viewer = _user(request)
    found = selectors.offer_matches(
        origin=origin_point,
        destination=destination_point,
        depart_after=max(after, now),
        depart_before=before,
        seats=seats,
        order=order,
        viewer=viewer,
    )
    return [
        MatchOut(
            offer=offer_out(f.offer, viewer, on_ride=False),
            pickup=PointSchema(**f.match.pickup.as_dict()),
            dropoff=PointSchema(**f.match.dropoff.as_dict()),
            price_cents=services.passenger_price_cents(
                offer=f.offer, shared_km=f.match.shared_km, seats=seats
            ),
            explanation=f.match.explanation(),
        )
        for f in found
    ]


@router.post(
    "/offers/{offer_id}/bookings",
    response={201: BookingOut, **error_responses(400, 401, 403, 404, 409)},
    summary="Book seats (409 no_seats); instant rides accept at once",
)
def booking_create(request: HttpRequest, offer_id: int, payload: BookingIn) -> Status[BookingOut]:
    booking = services.booking_request(
        passenger=_user(request),
        offer=selectors.offer_get(offer_id),
        seats=payload.seats,
        pickup=payload.pickup.to_point(),
        dropoff=payload.dropoff.to_point(),
    )
    return Status(201, booking_out(booking, _user(request)))


@router.get(
    "/offers/{offer_id}/bookings",
    response={200: list[BookingOut], **error_responses(401, 403, 404)},
    summary="The bookings of my ride (driver only)",
)
def offer_bookings(request: HttpRequest, offer_id: int) -> list[BookingOut]:
    offer = selectors.offer_get(offer_id)
    viewer = _user(request)
    if offer.driver_id != viewer.pk:
        raise NotFound("There is no such ride of yours.")
    return [booking_out(b, viewer) for b in selectors.bookings_of_offer(offer)]


@router.get(
    "/bookings", response={200: list[BookingOut], **error_responses(401)}, summary="My bookings"
)
@paginate(PageNumberPagination)
def booking_list(request: HttpRequest) -> Sequence[BookingOut]:
    viewer = _user(request)
    return _Mapped(
        selectors.bookings_of_passenger(viewer).select_related("passenger", "payment"),
        lambda booking: booking_out(booking, viewer),
    )


@router.get("/bookings/{booking_id}", response={200: BookingOut, **error_responses(401, 404)})
def booking_get(request: HttpRequest, booking_id: int) -> BookingOut:
    viewer = _user(request)
    return booking_out(selectors.booking_get_for_user(viewer, booking_id), viewer)


def _booking_action(request: HttpRequest, booking_id: int, action: str, **extra: Any) -> BookingOut:
    viewer = _user(request)
    booking = selectors.booking_get_for_user(viewer, booking_id)
    if action == "accept":
        booking = services.booking_accept(driver=viewer, booking=booking)
    elif action == "decline":
        booking = services.booking_decline(driver=viewer, booking=booking)
    elif action == "cancel":
        booking = services.booking_cancel(user=viewer, booking=booking)
    else:
        booking = services.booking_complete(user=viewer, booking=booking, code=extra["code"])
    return booking_out(booking, viewer)


_ACTION_ERRORS = error_responses(400, 401, 403, 404, 409)


@router.post("/bookings/{booking_id}/accept", response={200: BookingOut, **_ACTION_ERRORS})
def booking_accept(request: HttpRequest, booking_id: int) -> BookingOut:
    return _booking_action(request, booking_id, "accept")


@router.post("/bookings/{booking_id}/decline", response={200: BookingOut, **_ACTION_ERRORS})
def booking_decline(request: HttpRequest, booking_id: int) -> BookingOut:
    return _booking_action(request, booking_id, "decline")


@router.post("/bookings/{booking_id}/cancel", response={200: BookingOut, **_ACTION_ERRORS})
def booking_cancel(request: HttpRequest, booking_id: int) -> BookingOut:
    return _booking_action(request, booking_id, "cancel")


@router.post(
    "/bookings/{booking_id}/complete",
    response={200: BookingOut, **_ACTION_ERRORS},
    summary="Confirm the ride with the passenger's booking code; the payment is then captured",
)
def booking_complete(request: HttpRequest, booking_id: int, payload: CompleteIn) -> BookingOut:
    return _booking_action(request, booking_id, "complete", code=payload.code)


@router.get(
    "/offers/{offer_id}/messages",
    response={200: list[MessageOut], **error_responses(401, 404)},
    summary="The chat of a ride (driver and passengers)",
)
def message_list(request: HttpRequest, offer_id: int) -> list[MessageOut]:
    offer = selectors.offer_get(offer_id)
    if not selectors.is_on_ride(_user(request), offer):
        raise NotFound("There is no such ride of yours.")
    return [
        MessageOut(
            id=m.pk,
            author=MemberRef(id=m.author.pk, display_name=m.author.display_name),
            body=m.body,
            created_at=m.created_at,
        )
        for m in offer.messages.select_related("author")
    ]


@router.post(
    "/offers/{offer_id}/messages",
    response={201: MessageOut, **error_responses(400, 401, 403, 404)},
)
def message_create(request: HttpRequest, offer_id: int, payload: MessageIn) -> Status[MessageOut]:
    message = services.message_post(
        author=_user(request), offer=selectors.offer_get(offer_id), body=payload.body
    )
    author = message.author
    return Status(
        201,
        MessageOut(
            id=message.pk,
            author=MemberRef(id=author.pk, display_name=author.display_name),
            body=message.body,
            created_at=message.created_at,
        ),
    )


def _alert_out(alert: SearchAlert) -> AlertOut:
    return AlertOut(
        id=alert.pk,
        origin=PointSchema(**alert.origin.as_dict()),
        destination=PointSchema(**alert.destination.as_dict()),
        seats=alert.seats,
        label=alert.label,
        earliest_time=alert.earliest_time,
        latest_time=alert.latest_time,
    )


@router.get("/alerts", response={200: list[AlertOut], **error_responses(401)})
def alert_list(request: HttpRequest) -> list[AlertOut]:
    return [_alert_out(a) for a in SearchAlert.objects.filter(member=_user(request))]


@router.post(
    "/alerts",
    response={201: AlertOut, **error_responses(400, 401, 403)},
    summary="Save a search: I am notified when a matching ride is posted",
)
def alert_create(request: HttpRequest, payload: AlertIn) -> Status[AlertOut]:
    alert = services.alert_create(
        member=_user(request),
        origin=payload.origin.to_point(),
        destination=payload.destination.to_point(),
        seats=payload.seats,
        label=payload.label,
        earliest_time=payload.earliest_time,
        latest_time=payload.latest_time,
    )
    return Status(201, _alert_out(alert))


@router.delete("/alerts/{alert_id}", response={204: None, **error_responses(401, 404)})
def alert_delete(request: HttpRequest, alert_id: int) -> Status[None]:
    alert = SearchAlert.objects.filter(member=_user(request), pk=alert_id).first()
    if alert is None:
        raise NotFound("There is no such saved search.")
    services.alert_delete(member=_user(request), alert=alert)
    return Status(204, None)


@router.post(
    "/commutes",
    response={201: CommuteOut, **error_responses(400, 401, 403)},
    summary="A regular trip entered once: it creates the rides of the coming weeks",
)
def commute_create(request: HttpRequest, payload: CommuteIn) -> Status[CommuteOut]:
    commute = services.commute_create(
        driver=_user(request),
        origin=services.Place(payload.origin.to_point(), payload.origin.label),
        destination=services.Place(payload.destination.to_point(), payload.destination.label),
        weekdays=payload.weekdays,
        departure_time=payload.departure_time,
        until=payload.until,
        seats=payload.seats,
        price_per_seat_cents=payload.price_per_seat_cents,
        instant_booking=payload.instant_booking,
    )
    return Status(
        201,
        CommuteOut(
            id=commute.pk,
            weekdays=commute.weekdays,
            departure_time=commute.departure_time,
            until=commute.until,
            offers=list(commute.offers.order_by("departs_at").values_list("id", flat=True)),
        ),
    )


@router.get("/co2", response={200: Co2Out, **error_responses(401)}, summary="CO2 saved")
def co2(request: HttpRequest) -> Co2Out:
    return Co2Out(
        mine_grams=selectors.co2_saved_for_member(_user(request)),
        coop_grams=selectors.co2_saved_for_coop(),
        emission_factor_grams_per_km=parameter_value("rides.co2_grams_per_km"),
    )


def _pool_window(depart_after: str, depart_before: str) -> tuple[datetime, datetime]:
    after = _parse_time(depart_after, "depart_after")
    before = _parse_time(depart_before, "depart_before")
    if after is None or before is None or not timedelta(0) <= before - after <= timedelta(days=1):
        raise InvalidInput(fields={"depart_before": ["A window of at most one day."]})
    return after, before


def _pool_place_out(place: selectors.PoolPlace, viewer: User, *, optimal: bool) -> PoolPlaceOut:
    return PoolPlaceOut(
        alert_id=place.alert.pk,
        member=MemberRef(id=place.alert.member.pk, display_name=place.alert.member.display_name),
        offer=offer_out(place.offer, viewer, on_ride=False),
        pickup=PointSchema(**place.match.pickup.as_dict()),
        dropoff=PointSchema(**place.match.dropoff.as_dict()),
        explanation={
            **place.match.explanation(),
            "pool": {**place.car.explanation(), "optimal": optimal},
        },
    )


@router.get(
    "/pools",
    response={200: list[PoolPlaceOut], **error_responses(400, 401, 403)},
    summary="Board: assign saved searches to the open seats of a morning (a proposal)",
)
def pool_list(request: HttpRequest, depart_after: str, depart_before: str) -> list[PoolPlaceOut]:
    """Each place's `explanation.pool` gives its whole car's detour and order of stops."""
    board_action_required(request)
    after, before = _pool_window(depart_after, depart_before)
    proposal = selectors.pool_proposal(depart_after=after, depart_before=before)
    viewer = _user(request)
    return [_pool_place_out(p, viewer, optimal=proposal.optimal) for p in proposal.places]


@router.post(
    "/pools/bookings",
    response={200: PoolBookedOut, **error_responses(400, 401, 403)},
    summary="Board: book the commuter pool of a window; each passenger then pays as usual",
)
def pool_book(request: HttpRequest, payload: PoolWindowIn) -> PoolBookedOut:
    board_action_required(request)
    after, before = _pool_window(payload.depart_after, payload.depart_before)
    viewer = _user(request)
    outcome = services.pool_book(coordinator=viewer, depart_after=after, depart_before=before)
    return PoolBookedOut(
        bookings=[booking_out(b, viewer) for b in outcome.bookings],
        skipped=[
            PoolSkippedOut(
                alert_id=s.place.alert.pk,
                member=MemberRef(
                    id=s.place.alert.member.pk, display_name=s.place.alert.member.display_name
                ),
                offer_id=s.place.offer.pk,
                reason=s.reason,
            )
            for s in outcome.skipped
        ],
    )
