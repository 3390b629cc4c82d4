"""Detour matching of a passenger's trip with drivers' offers: an open, explainable algorithm.

Pure functions of plain values (no database), so the method can be read, tested and published.

For a passenger going from A to B and a driver whose route is O -> waypoints -> E:

1. Pickup and drop-off candidates: the passenger's own points (door to door), and for each leg
   of the driver's route the nearest point on it when the walk there is within the walking limit.
2. For each pair of candidates, the driver's path visits pickup then drop-off in that order,
   each inserted into the leg where it costs least (the pickup's leg never after the drop-off's).
   Detour = (that path - the direct route) x road factor; minutes = detour at the assumed speed;
   percent = detour / the route's road length.
3. A pair is acceptable when the detour is within the driver's limits (km, minutes, percent),
   both walks are within the walking limit, and the passenger's part is a fair share: at least
   `min_share_percent` of the trip, and no longer a detour than the ride itself.
4. Score (0-100, higher is better) of an acceptable pair:
   50 x (1 - detour_km / max_detour_km) + 30 x share of the trip ridden
   + 20 x (1 - walk_km / (2 x max_walk_km)) (the last term counts fully when walking is off).
   The best-scoring pair is the match; offers are ranked by score, then departure, then id.
5. The whole car: when passengers are already booked on the ride, the match stands only if the
   driver's route through all their pickups and drop-offs plus this passenger's (cheapest
   insertion of stops, as in rides.commuter-pool) stays within the driver's limits (km,
   minutes, percent of the trip); the explanation gives that whole-car detour. Searches and
   bookings apply the same check, a booking with the ride's seats locked.

Distances are great-circle distances on a sphere of the Earth's mean radius (within 0.6 % of the
ellipsoid, and fast enough to score thousands of offers).

The candidate index: a pickup can only be acceptable inside an ellipse around one leg of the
route (foci at the leg's ends, major axis the leg plus the longest detour), which lies within
`reach_margin_km` of the leg. `reach_box` is the route's bounding box widened by that margin, so
an offer whose reach box does not meet the box around the passenger's points (widened by the walk)
cannot match: the database filters on the stored box and never scans every offer.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coop.algorithms import algorithm_register, explanation_for
from coop.geo.points import Point
from coop.geo.search import bounding_box

ALGORITHM = algorithm_register(
    slug="rides.detour-matching",
    name="Ride matching by detour",
    version="1.1",
    description=(__doc__ or "").split("\n\n", 1)[1].split("\n\nThe candidate index")[0].strip(),
    parameter_keys=(
        "rides.max_detour_km",
        "rides.max_detour_minutes",
        "rides.max_detour_percent",
        "rides.max_walk_km",
        "rides.road_factor_basis_points",
        "rides.speed_kmh",
        "rides.min_share_percent",
    ),
    constants={
        "score_weights": {"detour": 50, "share": 30, "walk": 20},
        "earth_radius_km": 6371.0088,
        "orders": ["score", "departure", "distance"],
    },
)

_EARTH_RADIUS_KM = 6371.0088
# The reach margin is computed on a plane; widen it so curvature never makes the index miss.
_MARGIN_SAFETY = 1.05


def great_circle_km(a: Point, b: Point) -> float:
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi, dlmb = phi2 - phi1, math.radians(b.lng - a.lng)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True, slots=True)
class Settings:
    """The platform's live parameters as the matcher uses them."""

    road_factor: float = 1.3
    speed_kmh: float = 30.0
    max_walk_km: float = 1.0
    min_share_percent: float = 10.0


@dataclass(frozen=True, slots=True)
class OfferRoute:
    offer_id: int
    route: tuple[Point, ...]  # origin, waypoints..., destination
    departs_at: datetime
    max_detour_km: float
    max_detour_minutes: float
    max_detour_percent: float


@dataclass(frozen=True, slots=True)
class Match:
    offer_id: int
    departs_at: datetime
    pickup: Point
    dropoff: Point
    detour_km: float
    detour_minutes: float
    detour_percent: float
    pickup_distance_km: float
    dropoff_distance_km: float
    shared_km: float
    share_percent: float
    score: float
    limits: dict[str, float]
    # Set by rides.pools.match_in_car when passengers are already booked: the driver's detour
    # for the whole car, this passenger included.
    booked_passengers: int = 0
    car_detour_km: float | None = None
    car_detour_minutes: float | None = None
    car_detour_percent: float | None = None

    @property
    def walk_km(self) -> float:
        return self.pickup_distance_km + self.dropoff_distance_km

    def explanation(self) -> dict[str, Any]:
        car: dict[str, Any] = {}
        if self.booked_passengers and self.car_detour_km is not None:
            km, minutes = round(self.car_detour_km, 1), round(self.car_detour_minutes or 0)
            car = {
                "booked_passengers": self.booked_passengers,
                "car_detour_km": round(self.car_detour_km, 2),
                "car_detour_minutes": round(self.car_detour_minutes or 0, 1),
                "car_detour_percent": round(self.car_detour_percent or 0, 1),
                "car_summary": (
                    f"with the {self.booked_passengers} passenger"
                    f"{'s' if self.booked_passengers > 1 else ''} already booked: "
                    f"+{km} km, +{minutes} min"
                ),
            }
        return explanation_for(
            ALGORITHM,
            detour_km=round(self.detour_km, 2),
            detour_minutes=round(self.detour_minutes, 1),
            detour_percent=round(self.detour_percent, 1),
            pickup_distance_km=round(self.pickup_distance_km, 2),
            dropoff_distance_km=round(self.dropoff_distance_km, 2),
            shared_km=round(self.shared_km, 2),
            share_percent=round(self.share_percent, 1),
            score=self.score,
            limits=self.limits,
            **car,
        )


def route_length_km(route: Sequence[Point]) -> float:
    return sum(great_circle_km(a, b) for a, b in itertools.pairwise(route))


def nearest_on_leg(p: Point, a: Point, b: Point) -> Point:
    """The point of leg a-b nearest to p, on a local flat projection (fine at city scale)."""
    scale = math.cos(math.radians((a.lat + b.lat) / 2))
    ax, ay, bx, by = a.lng * scale, a.lat, b.lng * scale, b.lat
    px, py = p.lng * scale, p.lat
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return Point(a.lat + t * (b.lat - a.lat), a.lng + t * (b.lng - a.lng))


def _candidates(p: Point, route: Sequence[Point], max_walk_km: float) -> list[tuple[Point, float]]:
    found = [(p, 0.0)]
    if max_walk_km <= 0:
        return found
    for a, b in itertools.pairwise(route):
        q = nearest_on_leg(p, a, b)
        walk = great_circle_km(p, q)
        if 0 < walk <= max_walk_km:
            found.append((q, walk))
    return found


def _best_extra_km(route: Sequence[Point], pickup: Point, dropoff: Point) -> float:
    """Least extra great-circle km to visit pickup then drop-off along the route, in order."""
    legs = list(itertools.pairwise(route))
    lengths = [great_circle_km(a, b) for a, b in legs]
    insert_p = [
        great_circle_km(a, pickup) + great_circle_km(pickup, b) - d
        for (a, b), d in zip(legs, lengths, strict=True)
    ]
    insert_d = [
        great_circle_km(a, dropoff) + great_circle_km(dropoff, b) - d
        for (a, b), d in zip(legs, lengths, strict=True)
    ]
    between = great_circle_km(pickup, dropoff)
    best = math.inf
    best_drop_after = math.inf  # cheapest drop-off insertion in a leg after the current one
    for i in range(len(legs) - 1, -1, -1):
        a, b = legs[i]
        same_leg = great_circle_km(a, pickup) + between + great_circle_km(dropoff, b) - lengths[i]
        best = min(best, same_leg, insert_p[i] + best_drop_after)
        best_drop_after = min(best_drop_after, insert_d[i])
    return max(0.0, best)


def match_offer(
    offer: OfferRoute,
    *,
    origin: Point,
    destination: Point,
    settings: Settings,
    in_car: Callable[[Match], Match | None] | None = None,
) -> Match | None:
    """The best acceptable pickup/drop-off for this passenger on this offer, or None.

    `in_car` is step 5 (rides.pools.match_in_car for a ride with passengers booked): it refuses
    a pair (None) or returns it with the whole car's figures. Every acceptable pair goes through
    it, so a walk to the road can still fit a car that a door-to-door pickup no longer does."""
    route = offer.route
    trip_km = route_length_km(route) * settings.road_factor
    if trip_km <= 0:
        return None
    limits = {
        "max_detour_km": offer.max_detour_km,
        "max_detour_minutes": offer.max_detour_minutes,
        "max_detour_percent": offer.max_detour_percent,
        "max_walk_km": settings.max_walk_km,
        "min_share_percent": settings.min_share_percent,
        "road_factor": settings.road_factor,
        "speed_kmh": settings.speed_kmh,
    }
    best: Match | None = None
    for pickup, walk_p in _candidates(origin, route, settings.max_walk_km):
        for dropoff, walk_d in _candidates(destination, route, settings.max_walk_km):
            detour_km = _best_extra_km(route, pickup, dropoff) * settings.road_factor
            detour_minutes = detour_km / settings.speed_kmh * 60
            detour_percent = detour_km / trip_km * 100
            shared_km = great_circle_km(pickup, dropoff) * settings.road_factor
            share_percent = min(100.0, shared_km / trip_km * 100)
            if (
                detour_km > offer.max_detour_km
                or detour_minutes > offer.max_detour_minutes
                or detour_percent > offer.max_detour_percent
                or share_percent < settings.min_share_percent
                or detour_km > shared_km
            ):
                continue
            walk_score = (
                1.0
                if settings.max_walk_km <= 0
                else 1 - (walk_p + walk_d) / (2 * settings.max_walk_km)
            )
            score = round(
                50 * (1 - detour_km / offer.max_detour_km)
                + 30 * share_percent / 100
                + 20 * walk_score,
                1,
            )
            if best is not None and score <= best.score:
                continue
            pair = Match(
                offer_id=offer.offer_id,
                departs_at=offer.departs_at,
                pickup=pickup,
                dropoff=dropoff,
                detour_km=detour_km,
                detour_minutes=detour_minutes,
                detour_percent=detour_percent,
                pickup_distance_km=walk_p,
                dropoff_distance_km=walk_d,
                shared_km=shared_km,
                share_percent=share_percent,
                score=score,
                limits=limits,
            )
            found = pair if in_car is None else in_car(pair)
            if found is not None:
                best = found
    return best


ORDERS = ("score", "departure", "distance")


def rank(matches: Iterable[Match], *, order: str = "score") -> list[Match]:
    """Best score first (ties: earlier departure, then id); or by departure or walking distance."""
    if order == "departure":
        return sorted(matches, key=lambda m: (m.departs_at, -m.score, m.offer_id))
    if order == "distance":
        return sorted(matches, key=lambda m: (m.walk_km, m.detour_km, m.offer_id))
    return sorted(matches, key=lambda m: (-m.score, m.departs_at, m.offer_id))


def match_all(
    offers: Iterable[OfferRoute],
    *,
    origin: Point,
    destination: Point,
    settings: Settings,
    order: str = "score",
) -> list[Match]:
    found = (
        match_offer(offer, origin=origin, destination=destination, settings=settings)
        for offer in offers
    )
    return rank((m for m in found if m is not None), order=order)


# --- The index --------------------------------------------------------------------------------


def reach_margin_km(route: Sequence[Point], max_detour_km: float, road_factor: float) -> float:
    """How far from its route an acceptable pickup or drop-off can be.

    With the detour (in great-circle km) at most D, a point inserted into a leg of length L lies
    in the ellipse of foci the leg's ends and major axis L + D, within its semi-minor axis
    sqrt(D (2L + D)) / 2 of the leg. Road factors below 1 never apply, so D <= max_detour_km.
    """
    detour = max_detour_km / max(road_factor, 1.0)
    longest = max((great_circle_km(a, b) for a, b in itertools.pairwise(route)), default=0)
    return math.sqrt(detour * (2 * longest + detour)) / 2 * _MARGIN_SAFETY


@dataclass(frozen=True, slots=True)
class Box:
    min_lat: float
    max_lat: float
    min_lng: float
    max_lng: float


def reach_box(route: Sequence[Point], margin_km: float) -> Box:
    """The route's bounding box widened by `margin_km` (all longitudes if it would wrap)."""
    boxes = [bounding_box(p, max(margin_km, 0.001)) for p in route]
    min_lat = min(b.min_lat for b in boxes)
    max_lat = max(b.max_lat for b in boxes)
    if any(len(b.lng_ranges) > 1 for b in boxes):
        return Box(min_lat, max_lat, -180.0, 180.0)
    return Box(
        min_lat,
        max_lat,
        min(b.lng_ranges[0][0] for b in boxes),
        max(b.lng_ranges[0][1] for b in boxes),
    )
