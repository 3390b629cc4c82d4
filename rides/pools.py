"""Batch mode for commuter pools: many passengers and many drivers on the same morning.

Assign passengers to seats so that (1) as many people as possible are carried and (2) among all
such assignments the total detour is smallest. It is a minimum-cost maximum flow:

    source -> each passenger (capacity 1) -> each offer that can carry them alone
    (capacity 1, cost = that detour in metres, from the published matcher) -> sink
    (capacity = the offer's seats left)

solved by successive shortest augmenting paths (Bellman-Ford on the residual graph). Every
augmentation carries one more passenger along the cheapest path, so the result carries the most
people and, for that number, has the least total detour. Ties are broken by input order, so
the same input always gives the same answer.

Each passenger's detour is the one the matcher computes for them alone; two passengers in one car
are not checked against each other's stops (a known simplification, published with the method).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from coop.algorithms import algorithm_register
from coop.geo.points import Point
from rides import matching

ALGORITHM = algorithm_register(
    slug="rides.commuter-pool",
    name="Commuter pool assignment",
    version="1.0",
    description=(__doc__ or "").split("\n\n", 1)[1].strip(),
    parameter_keys=(
        "rides.max_detour_km",
        "rides.max_detour_minutes",
        "rides.max_detour_percent",
        "rides.max_walk_km",
        "rides.min_share_percent",
    ),
    constants={"objective": "most passengers carried, then least total detour (metres)"},
)


@dataclass(frozen=True, slots=True)
class PoolRequest:
    key: int
    origin: Point
    destination: Point


@dataclass(frozen=True, slots=True)
class PoolOffer:
    route: matching.OfferRoute
    seats: int


@dataclass(frozen=True, slots=True)
class Assignment:
    request_key: int
    offer_id: int
    match: matching.Match


def assign(
    requests: Sequence[PoolRequest],
    offers: Sequence[PoolOffer],
    *,
    settings: matching.Settings,
    allowed: Callable[[PoolRequest, PoolOffer], bool] | None = None,
) -> list[Assignment]:
    """`allowed` may rule pairs out before matching (e.g. a departure outside a passenger's
    hours)."""
    n, m = len(requests), len(offers)
    source, sink = n + m, n + m + 1
    graph: list[list[list[int]]] = [[] for _ in range(n + m + 2)]  # edges: [to, cap, cost, rev]

    def edge(a: int, b: int, cap: int, cost: int) -> None:
        graph[a].append([b, cap, cost, len(graph[b])])
        graph[b].append([a, 0, -cost, len(graph[a]) - 1])

    matches: dict[tuple[int, int], matching.Match] = {}
    for i, request in enumerate(requests):
        edge(source, i, 1, 0)
        for j, offer in enumerate(offers):
            if allowed is not None and not allowed(request, offer):
                continue
            found = matching.match_offer(
                offer.route,
                origin=request.origin,
                destination=request.destination,
                settings=settings,
            )
            if found is not None:
                matches[(i, j)] = found
                edge(i, n + j, 1, round(found.detour_km * 1000))
    for j, offer in enumerate(offers):
        if offer.seats > 0:
            edge(n + j, sink, offer.seats, 0)

    while _augment(graph, source, sink):
        pass

    result = []
    for i, request in enumerate(requests):
        for v, cap, _, _ in graph[i]:
            if n <= v < n + m and cap == 0:
                j = v - n
                result.append(Assignment(request.key, offers[j].route.offer_id, matches[(i, j)]))
    return result


def _augment(graph: list[list[list[int]]], source: int, sink: int) -> bool:
    """Push one unit along the cheapest residual path; False when none is left."""
    dist = [math.inf] * len(graph)
    back: list[tuple[int, int] | None] = [None] * len(graph)
    dist[source] = 0
    changed = True
    while changed:  # Bellman-Ford: residual edges may have negative costs
        changed = False
        for u, edges in enumerate(graph):
            if dist[u] == math.inf:
                continue
            for k, (v, cap, cost, _) in enumerate(edges):
                if cap > 0 and dist[u] + cost < dist[v]:
                    dist[v] = dist[u] + cost
                    back[v] = (u, k)
                    changed = True
    if dist[sink] == math.inf:
        return False
    v = sink
    while v != source:
        step = back[v]
        assert step is not None
        u, k = step
        graph[u][k][1] -= 1
        graph[v][graph[u][k][3]][1] += 1
        v = u
    return True
