"""Batch mode for commuter pools: many passengers and many drivers on the same morning.

Passengers are assigned to seats so that (1) as many people as possible are carried and (2) among
all such assignments the total detour is smallest, where a car's detour is that of its whole
group: the driver's route through the pickups and drop-offs of every passenger in the car
(those already booked included) must stay within the driver's limits.

1. Pairs: each passenger is matched with each offer alone by the detour matcher
   (rides.detour-matching), which fixes their pickup and drop-off and checks their walk and fair
   share.
2. Order of stops: starting from the driver's route (origin, waypoints, destination) with the
   stops of passengers already booked, each passenger's pickup and drop-off are inserted where
   they lengthen the path least, the pickup never after the drop-off (cheapest insertion).
   Every order of inserting the car's passengers is tried (at most 4! = 24) and the shortest
   path is kept. So stops come in the order they lie along the way, the driver never doubles
   back when another order is shorter, and for one passenger the detour is exactly the
   matcher's.
3. Cars: for each offer, the groups it can carry together among the `candidates_per_offer`
   passengers with the smallest detour alone: their seats within the seats left, and the whole
   car's detour (km, minutes, percent of the trip) within the driver's limits. A group is
   considered only when every group of one passenger fewer is acceptable too.
4. Choice: one group per offer, each passenger in at most one car, chosen by branch and bound
   (offers that share no passenger are solved apart): the most people carried, then the least
   total detour in metres. The search is exact within `node_budget` steps per cluster of
   offers; past that it keeps the best found and says it is not proven optimal. Ties go to the
   earlier input, so the same input always gives the same answer.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from coop.algorithms import algorithm_register
from coop.geo.points import Point
from rides import matching

# Search steps per cluster of offers before the best assignment found so far is returned.
NODE_BUDGET = 20_000
# Passengers each offer considers for its cars: those with the smallest detour alone.
CANDIDATES_PER_OFFER = 8

ALGORITHM = algorithm_register(
    slug="rides.commuter-pool",
    name="Commuter pool assignment",
    version="2.0",
    description=(__doc__ or "").split("\n\n", 1)[1].strip(),
    parameter_keys=(
        "rides.max_detour_km",
        "rides.max_detour_minutes",
        "rides.max_detour_percent",
        "rides.max_walk_km",
        "rides.min_share_percent",
        "rides.road_factor_basis_points",
        "rides.speed_kmh",
    ),
    constants={
        "objective": "most people carried, then least total detour (metres)",
        "stop_order": "cheapest insertion, best of every insertion order of the car's passengers",
        "node_budget": NODE_BUDGET,
        "candidates_per_offer": CANDIDATES_PER_OFFER,
    },
)


@dataclass(frozen=True, slots=True)
class PoolRequest:
    key: int
    origin: Point
    destination: Point
    seats: int = 1


@dataclass(frozen=True, slots=True)
class PoolOffer:
    route: matching.OfferRoute
    seats: int
    # (pickup, drop-off) of the passengers already booked: their stops are part of the car.
    booked: tuple[tuple[Point, Point], ...] = ()


@dataclass(frozen=True, slots=True)
class Stop:
    kind: str  # "pickup" or "dropoff"
    request_key: int
    point: Point


@dataclass(frozen=True, slots=True)
class CarPlan:
    """One car of the pool: who rides in it and the driver's whole detour for them."""

    offer_id: int
    request_keys: tuple[int, ...]
    stops: tuple[Stop, ...]  # the assigned passengers' stops in driving order
    detour_km: float
    detour_minutes: float
    detour_percent: float

    @property
    def detour_metres(self) -> int:
        return round(self.detour_km * 1000)

    def explanation(self) -> dict[str, Any]:
        return {
            "slug": ALGORITHM.slug,
            "version": ALGORITHM.version,
            "car_detour_km": round(self.detour_km, 2),
            "car_detour_minutes": round(self.detour_minutes, 1),
            "car_detour_percent": round(self.detour_percent, 1),
            "stop_order": [{"kind": s.kind, "request": s.request_key} for s in self.stops],
        }


@dataclass(frozen=True, slots=True)
class Assignment:
    request_key: int
    offer_id: int
    match: matching.Match
    car: CarPlan


@dataclass(frozen=True, slots=True)
class PoolResult:
    assignments: list[Assignment] = field(default_factory=list)
    # False when a cluster hit the node budget: the answer is the best found, not proven best.
    optimal: bool = True


# --- Order of stops: cheapest insertion ----------------------------------------------------


class _Distances:
    """Great-circle km between points, each pair computed once per offer."""

    def __init__(self) -> None:
        self._known: dict[tuple[float, float, float, float], float] = {}

    def __call__(self, a: Point, b: Point) -> float:
        # Plain float keys: hashing them is much cheaper than hashing the dataclasses.
        key = (a.lat, a.lng, b.lat, b.lng) if a.lat <= b.lat else (b.lat, b.lng, a.lat, a.lng)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = matching.great_circle_km(a, b)
        return found


def _insert(
    path: list[Point], tags: list[Stop | None], p: Stop, q: Stop, d: _Distances
) -> tuple[list[Point], list[Stop | None]]:
    """`path` with p inserted then q, where they add the least (p never after q); the earliest
    legs win ties."""
    legs = len(path) - 1
    length = [d(path[i], path[i + 1]) for i in range(legs)]
    add_p = [d(path[i], p.point) + d(p.point, path[i + 1]) - length[i] for i in range(legs)]
    add_q = [d(path[i], q.point) + d(q.point, path[i + 1]) - length[i] for i in range(legs)]
    between = d(p.point, q.point)
    best, best_i, best_j = math.inf, 0, 0
    q_after, q_after_j = math.inf, -1  # cheapest drop-off leg after leg i
    for i in range(legs - 1, -1, -1):
        same = d(path[i], p.point) + between + d(q.point, path[i + 1]) - length[i]
        if same <= best:
            best, best_i, best_j = same, i, i
        if add_p[i] + q_after <= best:
            best, best_i, best_j = add_p[i] + q_after, i, q_after_j
        if add_q[i] <= q_after:
            q_after, q_after_j = add_q[i], i
    i, j = best_i, best_j
    if i == j:
        return (
            [*path[: i + 1], p.point, q.point, *path[i + 1 :]],
            [*tags[: i + 1], p, q, *tags[i + 1 :]],
        )
    return (
        [*path[: i + 1], p.point, *path[i + 1 : j + 1], q.point, *path[j + 1 :]],
        [*tags[: i + 1], p, *tags[i + 1 : j + 1], q, *tags[j + 1 :]],
    )


def car_plan(
    offer: PoolOffer,
    riders: Sequence[tuple[int, Point, Point]],
    *,
    settings: matching.Settings,
    distances: _Distances | None = None,
) -> CarPlan:
    """The driver's path through the booked passengers' and `riders`' (key, pickup, drop-off)
    stops, by the best of every insertion order, and its detour against the direct route."""
    d = distances or _Distances()
    route = list(offer.route.route)
    base: list[Point] = route
    base_tags: list[Stop | None] = [None] * len(route)
    for pickup, dropoff in offer.booked:
        base, base_tags = _insert(
            base, base_tags, Stop("pickup", -1, pickup), Stop("dropoff", -1, dropoff), d
        )
    best_km, best_tags = math.inf, base_tags
    for order in itertools.permutations(riders):
        path, tags = base, base_tags
        for key, pickup, dropoff in order:
            path, tags = _insert(
                path, tags, Stop("pickup", key, pickup), Stop("dropoff", key, dropoff), d
            )
        km = sum(d(a, b) for a, b in itertools.pairwise(path))
        if km < best_km - 1e-9:
            best_km, best_tags = km, tags
    direct = sum(d(a, b) for a, b in itertools.pairwise(route))
    detour_km = max(0.0, best_km - direct) * settings.road_factor
    trip_km = direct * settings.road_factor
    return CarPlan(
        offer_id=offer.route.offer_id,
        request_keys=tuple(sorted(key for key, _, _ in riders)),
        stops=tuple(t for t in best_tags if t is not None and t.request_key >= 0),
        detour_km=detour_km,
        detour_minutes=detour_km / settings.speed_kmh * 60,
        detour_percent=detour_km / trip_km * 100 if trip_km > 0 else math.inf,
    )


def within_limits(plan: CarPlan, offer: PoolOffer) -> bool:
    limits = offer.route
    return (
        plan.detour_km <= limits.max_detour_km
        and plan.detour_minutes <= limits.max_detour_minutes
        and plan.detour_percent <= limits.max_detour_percent
    )


def match_in_car(
    offer: PoolOffer, match: matching.Match, /, *, settings: matching.Settings
) -> matching.Match | None:
    """`match` if the driver's route with the passengers already booked and this one stays
    within the driver's limits (step 5 of rides.detour-matching), with the whole car's detour
    added; None otherwise. With nobody booked the car's detour is the match's own."""
    if not offer.booked:
        return match
    plan = car_plan(offer, [(0, match.pickup, match.dropoff)], settings=settings)
    if not within_limits(plan, offer):
        return None
    return dataclasses.replace(
        match,
        booked_passengers=len(offer.booked),
        car_detour_km=plan.detour_km,
        car_detour_minutes=plan.detour_minutes,
        car_detour_percent=plan.detour_percent,
    )


# --- Cars each offer can make -------------------------------------------------------------


def _cars(
    offer: PoolOffer,
    riders: dict[int, tuple[int, Point, Point]],
    seats: dict[int, int],
    settings: matching.Settings,
) -> dict[frozenset[int], CarPlan]:
    """Acceptable groups of request indexes for one offer, grown one passenger at a time.
    `riders` maps each index to the request's (key, pickup, drop-off)."""
    d = _Distances()
    acceptable: dict[frozenset[int], CarPlan] = {}
    level: list[frozenset[int]] = [frozenset()]
    candidates = sorted(riders)
    while level:
        grown: list[frozenset[int]] = []
        for group in level:
            top = max(group, default=-1)
            used = sum(seats[i] for i in group)
            for i in candidates:
                if i <= top or used + seats[i] > offer.seats:
                    continue
                bigger = group | {i}
                if any(bigger - {x} not in acceptable for x in group):
                    continue
                plan = car_plan(
                    offer, [riders[x] for x in sorted(bigger)], settings=settings, distances=d
                )
                if within_limits(plan, offer):
                    acceptable[bigger] = plan
                    grown.append(bigger)
        level = grown
    return acceptable


# --- The choice: branch and bound ---------------------------------------------------------


@dataclass(slots=True)
class _Search:
    cars: list[list[tuple[frozenset[int], int, int]]]  # per offer: (group, people, metres)
    people_of: dict[int, int]
    last_offer: dict[int, int]  # the last offer (in search order) each request can ride
    max_people: list[int]  # per offer: people in its largest acceptable car
    budget: int
    best: tuple[int, int] = (-1, 0)  # (people, -metres)
    best_choice: list[frozenset[int]] = field(default_factory=list)
    steps: int = 0
    exhausted: bool = False

    # Suffix sums from offer k on: people who could still ride, seats the cars could fill.
    _riders_from: list[int] = field(default_factory=list)
    _capacity_from: list[int] = field(default_factory=list)

    def run(self) -> None:
        n = len(self.cars)
        self._riders_from = [
            sum(p for r, p in self.people_of.items() if self.last_offer[r] >= k)
            for k in range(n + 1)
        ]
        self._capacity_from = [sum(self.max_people[k:]) for k in range(n + 1)]
        self._visit(0, frozenset(), 0, 0, [])

    def _bound(self, k: int, used: frozenset[int]) -> int:
        """At most this many more people can ride in the offers from k on."""
        taken = sum(self.people_of[r] for r in used if self.last_offer[r] >= k)
        return min(self._riders_from[k] - taken, self._capacity_from[k])

    def _visit(
        self, k: int, used: frozenset[int], people: int, metres: int, choice: list[frozenset[int]]
    ) -> None:
        self.steps += 1
        if self.steps > self.budget:
            self.exhausted = True
            return
        if k == len(self.cars):
            if (people, -metres) > self.best:
                self.best, self.best_choice = (people, -metres), list(choice)
            return
        reach = people + self._bound(k, used)
        best_people, best_metres = self.best[0], -self.best[1]
        if reach < best_people or (reach == best_people and metres >= best_metres):
            return
        for group, group_people, group_metres in self.cars[k]:
            if used.isdisjoint(group):
                choice.append(group)
                self._visit(
                    k + 1, used | group, people + group_people, metres + group_metres, choice
                )
                choice.pop()
                if self.exhausted:
                    return
        choice.append(frozenset())
        self._visit(k + 1, used, people, metres, choice)
        choice.pop()


def _clusters(pairs: Iterable[tuple[int, int]], offers: int) -> list[list[int]]:
    """Offers linked through passengers they could both carry, each cluster in input order."""
    parent = list(range(offers))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_request: dict[int, int] = {}
    for i, j in pairs:
        if i in by_request:
            parent[root(j)] = root(by_request[i])
        else:
            by_request[i] = j
    groups: dict[int, list[int]] = {}
    for j in range(offers):
        groups.setdefault(root(j), []).append(j)
    return sorted(groups.values())


def assign(
    requests: Sequence[PoolRequest],
    offers: Sequence[PoolOffer],
    *,
    settings: matching.Settings,
    allowed: Callable[[PoolRequest, PoolOffer], bool] | None = None,
    node_budget: int = NODE_BUDGET,
) -> PoolResult:
    """`allowed` may rule pairs out before matching (e.g. a departure outside a passenger's
    hours)."""
    matches: dict[tuple[int, int], matching.Match] = {}
    for i, request in enumerate(requests):
        for j, offer in enumerate(offers):
            if request.seats > offer.seats or (allowed is not None and not allowed(request, offer)):
                continue
            found = matching.match_offer(
                offer.route,
                origin=request.origin,
                destination=request.destination,
                settings=settings,
            )
            if found is not None:
                matches[(i, j)] = found

    result: list[Assignment] = []
    optimal = True
    for cluster in _clusters(matches, len(offers)):
        plans: list[dict[frozenset[int], CarPlan]] = []
        for j in cluster:
            nearest = sorted(
                ((m.detour_km, i, m) for (i, jj), m in matches.items() if jj == j),
                key=lambda c: (c[0], c[1]),
            )[:CANDIDATES_PER_OFFER]
            riders = {i: (requests[i].key, m.pickup, m.dropoff) for _, i, m in nearest}
            plans.append(
                _cars(offers[j], riders, {i: requests[i].seats for i in riders}, settings)
                if riders
                else {}
            )
        people_of = {i: requests[i].seats for plan in plans for group in plan for i in group}
        cars = [
            sorted(
                (
                    (group, sum(people_of[i] for i in group), car.detour_metres)
                    for group, car in plan.items()
                ),
                key=lambda c: (-c[1], c[2], sorted(c[0])),
            )
            for plan in plans
        ]
        last_offer = {i: k for k, plan in enumerate(plans) for group in plan for i in group}
        search = _Search(
            cars=cars,
            people_of=people_of,
            last_offer=last_offer,
            max_people=[max((c[1] for c in options), default=0) for options in cars],
            budget=node_budget,
        )
        search.run()
        optimal = optimal and not search.exhausted
        for k, group in enumerate(search.best_choice):
            j = cluster[k]
            for i in sorted(group):
                car = plans[k][group]
                result.append(
                    Assignment(requests[i].key, offers[j].route.offer_id, matches[(i, j)], car)
                )
    position = {request.key: n for n, request in enumerate(requests)}
    result.sort(key=lambda a: position[a.request_key])
    return PoolResult(assignments=result, optimal=optimal)
