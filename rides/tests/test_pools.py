"""Commuter pools: the most people carried, then the least total detour, every car's detour
counted with everybody in it."""

from __future__ import annotations

import itertools
import random
from functools import cache

import pytest

from coop.algorithms import algorithm_list
from coop.geo.points import Point
from rides import matching, pools
from rides.tests.conftest import (
    FRANCESC_MACIA,
    LES_CORTS,
    PASSEIG_DE_GRACIA,
    POBLENOU,
    ZONA_UNIVERSITARIA,
    tomorrow_at,
)

SETTINGS = matching.Settings(road_factor=1.3, speed_kmh=30, max_walk_km=0.5, min_share_percent=10)
DOOR_TO_DOOR = matching.Settings(road_factor=1.3, speed_kmh=30, max_walk_km=0, min_share_percent=10)


def route(offer_id: int, *stops: Point, km: float = 10) -> matching.OfferRoute:
    return matching.OfferRoute(offer_id, stops, tomorrow_at(8), km, 30, 33)


def along(fraction: float, north: float = 0.0) -> Point:
    """A point of the Diagonal from Zona Universitària to Poblenou, moved `north` degrees of
    latitude across it (negative: south)."""
    lat = ZONA_UNIVERSITARIA.lat + fraction * (POBLENOU.lat - ZONA_UNIVERSITARIA.lat)
    lng = ZONA_UNIVERSITARIA.lng + fraction * (POBLENOU.lng - ZONA_UNIVERSITARIA.lng)
    return Point(lat + north, lng - north / 4)


# North of the road early on, and south of it a little later: each is a small detour alone, but
# carrying both makes the driver cross the road between them.
NORTH = pools.PoolRequest(1, along(0.3, 0.007), along(0.8))
SOUTH = pools.PoolRequest(2, along(0.5, -0.007), along(0.9))


def test_two_passengers_fine_alone_are_refused_together_when_their_detours_add_up() -> None:
    diagonal = pools.PoolOffer(route(1, ZONA_UNIVERSITARIA, POBLENOU, km=1.0), seats=3)
    alone = [
        matching.match_offer(
            diagonal.route, origin=r.origin, destination=r.destination, settings=DOOR_TO_DOOR
        )
        for r in (NORTH, SOUTH)
    ]
    assert all(m is not None and m.detour_km < 0.3 for m in alone)

    result = pools.assign([NORTH, SOUTH], [diagonal], settings=DOOR_TO_DOOR)

    # Together the car would detour 1.3 km, over the driver's 1 km: the cheaper one rides.
    (only,) = result.assignments
    assert only.request_key == SOUTH.key
    assert only.car.detour_km == pytest.approx(0.239, abs=0.001)
    together = pools.car_plan(
        diagonal,
        [(r.key, r.origin, r.destination) for r in (NORTH, SOUTH)],
        settings=DOOR_TO_DOOR,
    )
    assert together.detour_km == pytest.approx(1.315, abs=0.001)
    assert result.optimal


def test_a_second_car_takes_the_passenger_the_first_cannot_add() -> None:
    first = pools.PoolOffer(route(1, ZONA_UNIVERSITARIA, POBLENOU, km=1.0), seats=3)
    second = pools.PoolOffer(route(2, ZONA_UNIVERSITARIA, POBLENOU, km=1.0), seats=1)

    result = pools.assign([NORTH, SOUTH], [first, second], settings=DOOR_TO_DOOR)

    assert {(a.request_key, a.offer_id) for a in result.assignments} == {(1, 2), (2, 1)} or {
        (a.request_key, a.offer_id) for a in result.assignments
    } == {(1, 1), (2, 2)}
    assert len({a.offer_id for a in result.assignments}) == 2


def test_passengers_on_the_same_side_share_a_car_with_stops_in_driving_order() -> None:
    diagonal = pools.PoolOffer(route(1, ZONA_UNIVERSITARIA, POBLENOU, km=1.0), seats=3)
    early = pools.PoolRequest(1, along(0.3, 0.004), along(0.7, 0.004))
    later = pools.PoolRequest(2, along(0.5, 0.004), along(0.9, 0.004))

    result = pools.assign([later, early], [diagonal], settings=DOOR_TO_DOOR)

    assert [a.request_key for a in result.assignments] == [2, 1]
    car = result.assignments[0].car
    assert car is result.assignments[1].car
    assert [(s.kind, s.request_key) for s in car.stops] == [
        ("pickup", 1),
        ("pickup", 2),
        ("dropoff", 1),
        ("dropoff", 2),
    ]
    assert car.detour_km <= 1.0
    explained = car.explanation()
    assert explained["slug"] == "rides.commuter-pool"
    assert explained["stop_order"][0] == {"kind": "pickup", "request": 1}


def test_one_passenger_alone_costs_exactly_the_matchers_detour() -> None:
    offer = pools.PoolOffer(route(1, ZONA_UNIVERSITARIA, POBLENOU), seats=2)
    found = matching.match_offer(
        offer.route, origin=LES_CORTS, destination=PASSEIG_DE_GRACIA, settings=SETTINGS
    )
    assert found is not None

    plan = pools.car_plan(offer, [(7, found.pickup, found.dropoff)], settings=SETTINGS)

    assert plan.detour_km == pytest.approx(found.detour_km)
    assert plan.detour_minutes == pytest.approx(found.detour_minutes)


def test_passengers_already_booked_count_in_the_cars_detour() -> None:
    empty = pools.PoolOffer(route(1, ZONA_UNIVERSITARIA, POBLENOU, km=1.0), seats=2)
    with_north = pools.PoolOffer(
        route(1, ZONA_UNIVERSITARIA, POBLENOU, km=1.0),
        seats=2,
        booked=((NORTH.origin, NORTH.destination),),
    )

    assert pools.assign([SOUTH], [empty], settings=DOOR_TO_DOOR).assignments
    assert pools.assign([SOUTH], [with_north], settings=DOOR_TO_DOOR).assignments == []


def test_a_request_for_two_seats_fits_only_where_two_are_left() -> None:
    couple = pools.PoolRequest(1, LES_CORTS, PASSEIG_DE_GRACIA, seats=2)
    small = pools.PoolOffer(route(1, ZONA_UNIVERSITARIA, POBLENOU), seats=1)
    roomy = pools.PoolOffer(route(2, ZONA_UNIVERSITARIA, POBLENOU), seats=2)

    assert pools.assign([couple], [small], settings=SETTINGS).assignments == []
    (placed,) = pools.assign([couple], [small, roomy], settings=SETTINGS).assignments
    assert placed.offer_id == 2


def test_it_carries_everybody_where_grabbing_the_cheapest_seat_first_would_not() -> None:
    # Both drivers can take the passenger going along the Diagonal; only driver 1 can take the
    # one going to Poblenou. Giving the first passenger their cheapest seat (driver 1) would
    # strand the second.
    diagonal = route(1, ZONA_UNIVERSITARIA, POBLENOU)
    short = route(2, LES_CORTS, PASSEIG_DE_GRACIA, km=3)
    offers = [pools.PoolOffer(diagonal, 1), pools.PoolOffer(short, 1)]
    requests = [
        pools.PoolRequest(10, LES_CORTS, PASSEIG_DE_GRACIA),
        pools.PoolRequest(20, FRANCESC_MACIA, POBLENOU),
    ]
    assert (
        matching.match_offer(short, origin=FRANCESC_MACIA, destination=POBLENOU, settings=SETTINGS)
        is None
    )

    result = pools.assign(requests, offers, settings=SETTINGS)

    assert {(a.request_key, a.offer_id) for a in result.assignments} == {(10, 2), (20, 1)}


def _brute_force(
    requests: list[pools.PoolRequest], offers: list[pools.PoolOffer]
) -> tuple[int, int]:
    """(people, -total detour metres) of the best assignment, trying every one."""
    pairs = {
        (i, j): m
        for i, r in enumerate(requests)
        for j, o in enumerate(offers)
        if (
            m := matching.match_offer(
                o.route, origin=r.origin, destination=r.destination, settings=SETTINGS
            )
        )
    }

    @cache
    def car(j: int, group: frozenset[int]) -> pools.CarPlan | None:
        """The published definition: within the limits, and every group of one fewer too."""
        if sum(requests[i].seats for i in group) > offers[j].seats:
            return None
        if len(group) > 1 and any(car(j, group - {x}) is None for x in group):
            return None
        plan = pools.car_plan(
            offers[j],
            [(i, pairs[(i, j)].pickup, pairs[(i, j)].dropoff) for i in sorted(group)],
            settings=SETTINGS,
        )
        return plan if pools.within_limits(plan, offers[j]) else None

    best = (0, 0)
    for choice in itertools.product([None, *range(len(offers))], repeat=len(requests)):
        if any(j is not None and (i, j) not in pairs for i, j in enumerate(choice)):
            continue
        people, metres = 0, 0
        for j in range(len(offers)):
            group = frozenset(i for i, chosen in enumerate(choice) if chosen == j)
            if not group:
                continue
            plan = car(j, group)
            if plan is None:
                break
            people += sum(requests[i].seats for i in group)
            metres += plan.detour_metres
        else:
            best = max(best, (people, -metres))
    return best


def test_it_matches_a_brute_force_search_on_small_random_mornings() -> None:
    rng = random.Random(11)
    shared_a_car = 0

    def somewhere() -> Point:
        return Point(rng.uniform(41.37, 41.42), rng.uniform(2.11, 2.20))

    def near(point: Point) -> Point:
        return Point(point.lat + rng.uniform(-0.01, 0.01), point.lng + rng.uniform(-0.01, 0.01))

    for _ in range(40):
        # Drivers and passengers around two corridors, so cars fill up and the limits bind.
        hubs = [(somewhere(), somewhere()) for _ in range(2)]
        offers = [
            pools.PoolOffer(
                route(j, near(hub[0]), near(hub[1]), km=rng.choice([1, 2, 4])), rng.randint(1, 3)
            )
            for j, hub in enumerate(rng.choice(hubs) for _ in range(3))
        ]
        requests = [
            pools.PoolRequest(i, near(hub[0]), near(hub[1]), seats=rng.choice([1, 1, 2]))
            for i, hub in enumerate(rng.choice(hubs) for _ in range(5))
        ]

        result = pools.assign(requests, offers, settings=SETTINGS)

        cars = {a.offer_id: a.car for a in result.assignments}
        people = sum(requests[a.request_key].seats for a in result.assignments)
        metres = sum(car.detour_metres for car in cars.values())
        assert (people, -metres) == _brute_force(requests, offers)
        assert all(pools.within_limits(car, offers[j]) for j, car in cars.items())
        assert result.optimal
        shared_a_car += any(len(car.request_keys) > 1 for car in cars.values())
    assert shared_a_car >= 3


def test_a_tiny_search_budget_still_answers_and_says_so() -> None:
    offers = [
        pools.PoolOffer(route(j, ZONA_UNIVERSITARIA, POBLENOU, km=3), seats=2) for j in range(4)
    ]
    requests = [pools.PoolRequest(i, along(0.1 + 0.1 * i, 0.001), along(0.9)) for i in range(6)]

    hurried = pools.assign(requests, offers, settings=SETTINGS, node_budget=10)
    thorough = pools.assign(requests, offers, settings=SETTINGS)

    assert not hurried.optimal
    assert hurried.assignments
    assert thorough.optimal
    assert len(thorough.assignments) == 6


def test_the_pool_algorithm_is_published_with_its_parameters() -> None:
    (pool,) = [a for a in algorithm_list() if a.slug == "rides.commuter-pool"]
    assert "rides.max_detour_km" in pool.parameter_keys
    assert "rides.road_factor_basis_points" in pool.parameter_keys
    assert "cheapest insertion" in pool.description
    assert pool.constants["node_budget"] == pools.NODE_BUDGET
