"""Reads of the rides service: the matcher's indexed candidates, my rides, CO2 saved."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, Sum, prefetch_related_objects
from django.utils import timezone

from coop.exceptions import NotFound
from coop.geo.approximate import approximate_point
from coop.geo.points import Point
from coop.geo.search import bounding_box
from coop.members.models import User
from governance.parameters import parameter_value
from rides import matching, pools
from rides.models import (
    HOLDING,
    Booking,
    BookingStatus,
    Offer,
    PoolRun,
    PoolRunStatus,
    SearchAlert,
    TripStatus,
)


def matching_settings() -> matching.Settings:
    return matching.Settings(
        road_factor=parameter_value("rides.road_factor_basis_points") / 10000,
        speed_kmh=float(parameter_value("rides.speed_kmh")),
        max_walk_km=float(parameter_value("rides.max_walk_km")),
        min_share_percent=float(parameter_value("rides.min_share_percent")),
    )


def offer_route(offer: Offer) -> matching.OfferRoute:
    return matching.OfferRoute(
        offer_id=offer.pk,
        route=offer.route,
        departs_at=offer.departs_at,
        max_detour_km=offer.max_detour_km,
        max_detour_minutes=offer.max_detour_minutes,
        max_detour_percent=offer.max_detour_percent,
    )


def pool_offer(offer: Offer, bookings: Iterable[Booking] | None = None) -> pools.PoolOffer:
    """The offer as its car: the stops of the bookings holding seats are part of it. Without
    `bookings`, reads `offer.bookings` as prefetched by `holding_bookings_prefetch()`."""
    held = offer.bookings.all() if bookings is None else bookings
    return pools.PoolOffer(
        offer_route(offer), offer.seats_left, tuple((b.pickup, b.dropoff) for b in held)
    )


def holding_bookings_prefetch() -> Prefetch:
    # Only the bookings that hold seats: their stops are part of the car.
    return Prefetch("bookings", queryset=Booking.objects.filter(status__in=HOLDING).order_by("id"))


def _meets(point: Point, walk_km: float) -> Q:
    """Offers whose reach box meets the box around `point` widened by the walk."""
    box = bounding_box(point, max(walk_km, 0.001))
    lng = Q()
    for west, east in box.lng_ranges:
        lng |= Q(reach_min_lng__lte=east, reach_max_lng__gte=west)
    return Q(lng, reach_min_lat__lte=box.max_lat, reach_max_lat__gte=box.min_lat)


def offer_candidates(
    *,
    origin: Point,
    destination: Point,
    depart_after: datetime,
    depart_before: datetime,
    seats: int,
    walk_km: float,
    exclude_driver: User | None = None,
) -> QuerySet[Offer]:
    """Open offers in the departure window whose reach covers both of the passenger's points.

    Served by rides_offer_window_idx (status, departs_at, reach latitudes): never a full scan.
    """
    offers = Offer.objects.filter(
        _meets(origin, walk_km),
        _meets(destination, walk_km),
        status=TripStatus.SCHEDULED,
        departs_at__gte=depart_after,
        departs_at__lte=depart_before,
        seats_left__gte=seats,
    )
    if exclude_driver is not None:
        offers = offers.exclude(driver=exclude_driver)
    return offers.select_related("driver")


@dataclass(frozen=True, slots=True)
class FoundMatch:
    offer: Offer
    match: matching.Match


def offer_matches(
    *,
    origin: Point,
    destination: Point,
    depart_after: datetime,
    depart_before: datetime,
    seats: int,
    order: str = "score",
    viewer: User | None = None,
) -> list[FoundMatch]:
    settings = matching_settings()
    offers = {
        offer.pk: offer
        for offer in offer_candidates(
            origin=origin,
            destination=destination,
            depart_after=depart_after,
            depart_before=depart_before,
            seats=seats,
            walk_km=settings.max_walk_km,
            exclude_driver=viewer,
        )
    }
    # One more query for the bookings holding seats: their stops are part of each car.
    prefetch_related_objects(list(offers.values()), holding_bookings_prefetch())
    found = (
        matching.match_offer(
            offer_route(o),
            origin=origin,
            destination=destination,
            settings=settings,
            in_car=functools.partial(pools.match_in_car, pool_offer(o), settings=settings),
        )
        for o in offers.values()
    )
    return [
        FoundMatch(offer=offers[m.offer_id], match=m)
        for m in matching.rank((m for m in found if m is not None), order=order)
    ]


def offer_ends_for_public(offer: Offer) -> tuple[Point, Point]:
    """The start and end as people not on the ride see them: they may be the driver's home, so
    100-300 m off, at the same stable offset everywhere (API, map)."""
    return (
        approximate_point(offer.origin, key=f"rides-offer-origin:{offer.pk}"),
        approximate_point(offer.destination, key=f"rides-offer-destination:{offer.pk}"),
    )


def offer_waypoints_for_public(offer: Offer) -> list[Point]:
    """Stops on the way can be private places too (a school, a workplace): like the start and
    end, people who are not on the ride see them 100-300 m off."""
    return [
        approximate_point(point, key=f"rides-offer-waypoint:{offer.pk}:{index}")
        for index, point in enumerate(offer.waypoint_points)
    ]


def offer_route_for_public(offer: Offer) -> tuple[Point, ...]:
    start, end = offer_ends_for_public(offer)
    return (start, *offer_waypoints_for_public(offer), end)


def offer_get(offer_id: int) -> Offer:
    try:
        return Offer.objects.select_related("driver").get(pk=offer_id)
    except Offer.DoesNotExist:
        raise NotFound("There is no such ride.") from None


def offer_list(*, driver: User | None = None) -> QuerySet[Offer]:
    offers = Offer.objects.select_related("driver")
    if driver is not None:
        offers = offers.filter(driver=driver)
    return offers.order_by("departs_at", "id")


def offer_upcoming(*, now: datetime) -> QuerySet[Offer]:
    return Offer.objects.select_related("driver").filter(
        status=TripStatus.SCHEDULED, departs_at__gte=now, seats_left__gte=1
    )


def booking_get_for_user(user: User, booking_id: int) -> Booking:
    """A booking its passenger or the ride's driver may see; 404 for everybody else."""
    try:
        return (
            Booking.objects.select_related("offer", "offer__driver", "passenger", "payment")
            .filter(Q(passenger=user) | Q(offer__driver=user))
            .get(pk=booking_id)
        )
    except Booking.DoesNotExist:
        raise NotFound("There is no such booking.") from None


def bookings_of_passenger(user: User) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(passenger=user)
        .select_related("offer", "offer__driver")
        .order_by("-offer__departs_at", "-id")
    )


def bookings_of_offer(offer: Offer) -> QuerySet[Booking]:
    return offer.bookings.select_related("passenger", "payment").order_by("id")


def is_on_ride(user: User, offer: Offer) -> bool:
    """The driver, or a passenger whose booking holds or held a seat."""
    return (
        offer.driver_id == user.pk
        or offer.bookings.filter(
            passenger=user,
            status__in=[BookingStatus.REQUESTED, BookingStatus.ACCEPTED, BookingStatus.COMPLETED],
        ).exists()
    )


# --- CO2 saved: every passenger-kilometre shared is a car-kilometre not driven ----------------


def _co2_grams(bookings: QuerySet[Booking]) -> int:
    grams_per_km = parameter_value("rides.co2_grams_per_km")
    rows = bookings.filter(status=BookingStatus.COMPLETED).values_list("shared_km", "seats")
    return round(sum(km * seats for km, seats in rows) * grams_per_km)


def co2_saved_for_offer(offer: Offer) -> int:
    return _co2_grams(offer.bookings.all())


def co2_saved_for_member(member: User) -> int:
    """As a driver (seats shared) and as a passenger (car not taken)."""
    return _co2_grams(Booking.objects.filter(Q(passenger=member) | Q(offer__driver=member)))


def co2_saved_for_coop() -> int:
    return _co2_grams(Booking.objects.all())


def shared_km_total() -> float:
    total = Booking.objects.filter(status=BookingStatus.COMPLETED).aggregate(km=Sum("shared_km"))
    return float(total["km"] or 0)


# --- Commuter pools ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PoolPlace:
    alert: SearchAlert
    offer: Offer
    match: matching.Match
    car: pools.CarPlan


@dataclass(frozen=True, slots=True)
class PoolProposal:
    places: list[PoolPlace]
    optimal: bool


def pool_proposal(*, depart_after: datetime, depart_before: datetime) -> PoolProposal:
    """Saved searches assigned to the window's open seats (rides.commuter-pool), each car's
    detour counted with everybody in it, the passengers already booked included. A proposal:
    nothing is booked (services.pool_book does that). Members who already hold a seat in the
    window are left out, so booking the proposal twice books nobody twice."""
    offers = list(
        Offer.objects.filter(
            status=TripStatus.SCHEDULED,
            departs_at__gte=depart_after,
            departs_at__lte=depart_before,
            seats_left__gte=1,
        )
        .select_related("driver")
        .prefetch_related(holding_bookings_prefetch())[:500]
    )
    riding = Booking.objects.filter(
        status__in=HOLDING,
        offer__departs_at__gte=depart_after,
        offer__departs_at__lte=depart_before,
    ).values("passenger_id")
    alerts = {
        a.pk: a
        for a in SearchAlert.objects.exclude(member__in=riding).select_related("member")[:2000]
    }
    by_id = {o.pk: o for o in offers}

    def allowed(request: pools.PoolRequest, pool_offer: pools.PoolOffer) -> bool:
        alert, offer = alerts[request.key], by_id[pool_offer.route.offer_id]
        local = timezone.localtime(offer.departs_at).time()
        return (
            offer.driver_id != alert.member_id
            and (alert.earliest_time is None or local >= alert.earliest_time)
            and (alert.latest_time is None or local <= alert.latest_time)
        )

    result = pools.assign(
        [pools.PoolRequest(a.pk, a.origin, a.destination, a.seats) for a in alerts.values()],
        [pool_offer(o) for o in offers],
        settings=matching_settings(),
        allowed=allowed,
    )
    return PoolProposal(
        places=[
            PoolPlace(alerts[a.request_key], by_id[a.offer_id], a.match, a.car)
            for a in result.assignments
        ],
        optimal=result.optimal,
    )


# --- Pool runs: the proposal worked out in the background -------------------------------------

# A stored proposal older than this is worked out again when the board opens the page: bookings
# and saved searches change during the evening before a morning.
POOL_RUN_FRESH = timedelta(minutes=10)


def pool_proposal_to_json(proposal: PoolProposal) -> dict[str, Any]:
    """The proposal as PoolRun.result: ids of the saved searches and offers, and the figures."""

    def point(p: Point) -> list[float]:
        return [p.lat, p.lng]

    return {
        "optimal": proposal.optimal,
        "places": [
            {
                "alert": place.alert.pk,
                "offer": place.offer.pk,
                "match": {
                    **{
                        f.name: getattr(place.match, f.name)
                        for f in dataclasses.fields(place.match)
                        if f.name not in {"departs_at", "pickup", "dropoff"}
                    },
                    "pickup": point(place.match.pickup),
                    "dropoff": point(place.match.dropoff),
                },
                "car": {
                    "request_keys": list(place.car.request_keys),
                    "stops": [[s.kind, s.request_key, *point(s.point)] for s in place.car.stops],
                    "detour_km": place.car.detour_km,
                    "detour_minutes": place.car.detour_minutes,
                    "detour_percent": place.car.detour_percent,
                },
            }
            for place in proposal.places
        ],
    }


def pool_run_proposal(run: PoolRun) -> PoolProposal:
    """The stored proposal of a finished run, with its saved searches and offers loaded; places
    whose search or ride was deleted since are left out."""
    stored = run.result.get("places", [])
    alerts = SearchAlert.objects.select_related("member").in_bulk([p["alert"] for p in stored])
    offers = Offer.objects.select_related("driver").in_bulk([p["offer"] for p in stored])
    places = []
    for p in stored:
        alert, offer = alerts.get(p["alert"]), offers.get(p["offer"])
        if alert is None or offer is None:
            continue
        figures, car = p["match"], p["car"]
        match = matching.Match(
            **{
                **figures,
                "departs_at": offer.departs_at,
                "pickup": Point(*figures["pickup"]),
                "dropoff": Point(*figures["dropoff"]),
            }
        )
        plan = pools.CarPlan(
            offer_id=offer.pk,
            request_keys=tuple(car["request_keys"]),
            stops=tuple(pools.Stop(k, key, Point(lat, lng)) for k, key, lat, lng in car["stops"]),
            detour_km=car["detour_km"],
            detour_minutes=car["detour_minutes"],
            detour_percent=car["detour_percent"],
        )
        places.append(PoolPlace(alert, offer, match, plan))
    return PoolProposal(places=places, optimal=run.result.get("optimal", True))


def pool_run_latest(*, depart_after: datetime, depart_before: datetime) -> PoolRun | None:
    return (
        PoolRun.objects.filter(depart_after=depart_after, depart_before=depart_before)
        .order_by("-created_at", "-id")
        .first()
    )


def pool_run_needs_starting(run: PoolRun | None, *, now: datetime) -> bool:
    """No run yet, a failed one, a stale result, or a run whose task was lost."""
    if run is None or run.status == PoolRunStatus.FAILED:
        return True
    since = run.finished_at if run.status == PoolRunStatus.DONE else run.created_at
    return since is not None and now - since > POOL_RUN_FRESH
