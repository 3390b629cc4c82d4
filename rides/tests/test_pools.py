"""Commuter pools: the most passengers carried, then the least total detour."""

from __future__ import annotations

import itertools
import random

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


def route(offer_id: int, *stops: Point, km: float = 10) -> matching.OfferRoute:
    return matching.OfferRoute(offer_id, stops, tomorrow_at(8), km, 30, 33)


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

    assert {(a.request_key, a.offer_id) for a in result} == {(10, 2), (20, 1)}


def test_it_matches_a_brute_force_search_on_small_random_mornings() -> None:
    rng = random.Random(11)
    carried_somebody = 0

    def somewhere() -> Point:
        return Point(rng.uniform(41.37, 41.42), rng.uniform(2.11, 2.20))

    for _ in range(30):
        offers = [
            pools.PoolOffer(
                route(j, somewhere(), somewhere(), km=rng.choice([2, 5])), rng.randint(1, 2)
            )
            for j in range(3)
        ]
        requests = [pools.PoolRequest(i, somewhere(), somewhere()) for i in range(4)]
        cost: dict[tuple[int, int], int] = {}
        for i, request in enumerate(requests):
            for j, offer in enumerate(offers):
                found = matching.match_offer(
                    offer.route,
                    origin=request.origin,
                    destination=request.destination,
                    settings=SETTINGS,
                )
                if found is not None:
                    cost[(i, j)] = round(found.detour_km * 1000)

        best = (0, 0)
        for choice in itertools.product([None, 0, 1, 2], repeat=len(requests)):
            if any(j is not None and (i, j) not in cost for i, j in enumerate(choice)):
                continue
            if any(choice.count(j) > offers[j].seats for j in range(len(offers))):
                continue
            carried = sum(j is not None for j in choice)
            total = sum(cost[(i, j)] for i, j in enumerate(choice) if j is not None)
            best = max(best, (carried, -total))

        result = pools.assign(requests, offers, settings=SETTINGS)
        total = sum(round(a.match.detour_km * 1000) for a in result)

        assert (len(result), -total) == best
        carried_somebody += bool(result)
    assert carried_somebody >= 5


def test_the_pool_algorithm_is_published() -> None:
    assert "rides.commuter-pool" in {a.slug for a in algorithm_list()}
