"""The matching algorithm on known geometries, and the index against a brute-force scan."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from coop.algorithms import algorithm_list
from coop.geo.points import Point
from coop.members.models import User
from rides import matching, selectors, services
from rides.models import Offer
from rides.tests.conftest import (
    FRANCESC_MACIA,
    GLORIES,
    LES_CORTS,
    PASSEIG_DE_GRACIA,
    POBLENOU,
    ZONA_UNIVERSITARIA,
    tomorrow_at,
)

SETTINGS = matching.Settings(road_factor=1.3, speed_kmh=30, max_walk_km=1, min_share_percent=10)


def diagonal(**limits: float) -> matching.OfferRoute:
    return matching.OfferRoute(
        offer_id=1,
        route=(ZONA_UNIVERSITARIA, POBLENOU),
        departs_at=tomorrow_at(8),
        max_detour_km=limits.get("km", 10),
        max_detour_minutes=limits.get("minutes", 15),
        max_detour_percent=limits.get("percent", 33),
    )


def test_a_passenger_on_the_way_is_matched_with_almost_no_detour() -> None:
    match = matching.match_offer(
        diagonal(), origin=LES_CORTS, destination=GLORIES, settings=SETTINGS
    )

    assert match is not None
    assert match.detour_km < 0.5
    assert match.pickup_distance_km == 0 or match.pickup_distance_km < 1
    assert 0 < match.score <= 100


def test_a_passenger_slightly_off_the_route_is_matched_with_a_small_detour() -> None:
    # 670 m north of the line at Passeig de Gràcia: door to door costs a small detour.
    off = Point(41.4033, PASSEIG_DE_GRACIA.lng)
    door = matching.Settings(road_factor=1.3, speed_kmh=30, max_walk_km=0, min_share_percent=10)

    match = matching.match_offer(diagonal(), origin=off, destination=POBLENOU, settings=door)

    assert match is not None
    assert 0.1 < match.detour_km < 2
    assert match.pickup == off
    expected = (
        matching.great_circle_km(ZONA_UNIVERSITARIA, off)
        + matching.great_circle_km(off, POBLENOU)
        - matching.great_circle_km(ZONA_UNIVERSITARIA, POBLENOU)
    ) * 1.3
    assert match.detour_km == pytest.approx(expected)
    assert match.detour_minutes == pytest.approx(expected / 30 * 60)
    trip = matching.great_circle_km(ZONA_UNIVERSITARIA, POBLENOU) * 1.3
    assert match.detour_percent == pytest.approx(expected / trip * 100)


def test_when_the_driver_cannot_detour_the_passenger_walks_to_the_route() -> None:
    off = Point(41.4033, PASSEIG_DE_GRACIA.lng)
    strict = diagonal(km=0.1)

    match = matching.match_offer(strict, origin=off, destination=POBLENOU, settings=SETTINGS)

    assert match is not None
    assert match.pickup != off
    assert 0.3 < match.pickup_distance_km < 1
    assert match.detour_km < 0.05


def test_a_passenger_far_off_the_route_is_refused_by_the_drivers_limits() -> None:
    montjuic = Point(41.3636, 2.1578)

    assert (
        matching.match_offer(
            diagonal(km=2), origin=montjuic, destination=POBLENOU, settings=SETTINGS
        )
        is None
    )


def test_a_passenger_behind_the_driver_is_refused() -> None:
    behind = Point(41.3790, 2.0700)  # further west than the driver's start

    match = matching.match_offer(diagonal(), origin=behind, destination=GLORIES, settings=SETTINGS)

    assert match is None


def test_a_passenger_going_the_other_way_is_refused() -> None:
    match = matching.match_offer(
        diagonal(), origin=GLORIES, destination=LES_CORTS, settings=SETTINGS
    )

    assert match is None


def test_a_tiny_hop_is_not_a_fair_share_of_the_trip() -> None:
    hop = Point(LES_CORTS.lat + 0.0005, LES_CORTS.lng + 0.004)

    assert (
        matching.match_offer(diagonal(), origin=LES_CORTS, destination=hop, settings=SETTINGS)
        is None
    )


def test_waypoints_are_visited_in_order() -> None:
    # A driver going via Passeig de Gràcia picks up there at no cost.
    offer = matching.OfferRoute(
        offer_id=1,
        route=(ZONA_UNIVERSITARIA, Point(41.3990, 2.1600), POBLENOU),
        departs_at=tomorrow_at(8),
        max_detour_km=10,
        max_detour_minutes=15,
        max_detour_percent=33,
    )
    door = matching.Settings(road_factor=1.3, speed_kmh=30, max_walk_km=0, min_share_percent=10)

    match = matching.match_offer(
        offer, origin=Point(41.3990, 2.1600), destination=POBLENOU, settings=door
    )

    assert match is not None
    assert match.detour_km == pytest.approx(0, abs=1e-6)


def test_the_explanation_has_the_contract_figures_and_the_limits() -> None:
    match = matching.match_offer(
        diagonal(), origin=FRANCESC_MACIA, destination=GLORIES, settings=SETTINGS
    )
    assert match is not None

    explanation = match.explanation()

    for key in (
        "detour_km",
        "detour_minutes",
        "detour_percent",
        "pickup_distance_km",
        "dropoff_distance_km",
        "score",
    ):
        assert isinstance(explanation[key], float)
    assert explanation["algorithm"] == {"slug": "rides.detour-matching", "version": "1.1"}
    assert explanation["limits"]["max_detour_percent"] == 33
    assert explanation["detour_km"] == round(match.detour_km, 2)


def test_the_algorithm_is_published_with_its_parameters() -> None:
    algorithm = next(a for a in algorithm_list() if a.slug == "rides.detour-matching")

    assert "rides.max_detour_percent" in algorithm.parameter_keys
    assert "Score" in algorithm.description


def test_results_can_be_resorted_by_departure_or_distance() -> None:
    base = tomorrow_at(8)
    matches = [
        matching.Match(
            i, base + timedelta(minutes=m), LES_CORTS, GLORIES, 0, 0, 0, w, 0, 1, 50, s, {}
        )
        for i, m, w, s in [(1, 30, 0.5, 90), (2, 10, 0.1, 40), (3, 20, 0.9, 70)]
    ]

    assert [m.offer_id for m in matching.rank(matches)] == [1, 3, 2]
    assert [m.offer_id for m in matching.rank(matches, order="departure")] == [2, 3, 1]
    assert [m.offer_id for m in matching.rank(matches, order="distance")] == [2, 1, 3]


@pytest.mark.django_db
def test_the_indexed_matcher_returns_exactly_what_a_brute_force_scan_returns(
    alice: User,
) -> None:
    rng = random.Random(7)

    def somewhere() -> Point:
        return Point(rng.uniform(41.35, 41.45), rng.uniform(2.09, 2.23))

    start = tomorrow_at(6)
    settings = selectors.matching_settings()
    offers = []
    for i in range(3000):
        origin, destination = somewhere(), somewhere()
        while matching.great_circle_km(origin, destination) < 1:
            destination = somewhere()
        route = (origin, destination)
        detour = rng.choice([2.0, 5.0, 10.0])
        box = matching.reach_box(route, matching.reach_margin_km(route, detour, 1.3))
        offers.append(
            Offer(
                driver=alice,
                origin_label=f"O{i}",
                origin_lat=origin.lat,
                origin_lng=origin.lng,
                destination_label=f"D{i}",
                destination_lat=destination.lat,
                destination_lng=destination.lng,
                departs_at=start + timedelta(minutes=rng.randrange(0, 12 * 60)),
                seats=3,
                seats_left=rng.choice([0, 1, 3]),
                price_per_seat_cents=100,
                currency="EUR",
                distance_km=matching.great_circle_km(origin, destination) * 1.3,
                max_detour_km=detour,
                max_detour_minutes=rng.choice([5.0, 15.0]),
                max_detour_percent=33,
                reach_min_lat=box.min_lat,
                reach_max_lat=box.max_lat,
                reach_min_lng=box.min_lng,
                reach_max_lng=box.max_lng,
            )
        )
    Offer.objects.bulk_create(offers)
    everything = list(Offer.objects.all())
    total = 0
    for _ in range(40):
        origin, destination = somewhere(), somewhere()
        after = start + timedelta(minutes=rng.randrange(0, 10 * 60))
        before = after + timedelta(hours=rng.choice([1, 3, 12]))
        seats = rng.choice([1, 2])

        indexed = selectors.offer_matches(
            origin=origin,
            destination=destination,
            depart_after=after,
            depart_before=before,
            seats=seats,
        )
        brute = matching.match_all(
            (
                selectors.offer_route(o)
                for o in everything
                if after <= o.departs_at <= before and o.seats_left >= seats
            ),
            origin=origin,
            destination=destination,
            settings=settings,
        )
        candidates = selectors.offer_candidates(
            origin=origin,
            destination=destination,
            depart_after=after,
            depart_before=before,
            seats=seats,
            walk_km=settings.max_walk_km,
        ).count()

        assert [f.match for f in indexed] == brute
        assert candidates < len(everything) / 2  # the index did rule most offers out
        total += len(brute)
    assert total > 20  # the comparison was not vacuous


def test_reach_box_contains_every_acceptable_pickup() -> None:
    rng = random.Random(3)
    route = (ZONA_UNIVERSITARIA, PASSEIG_DE_GRACIA, POBLENOU)
    offer = matching.OfferRoute(1, route, timezone.now(), 10, 1000, 1000)
    door = matching.Settings(road_factor=1.0, speed_kmh=30, max_walk_km=0, min_share_percent=0)
    box = matching.reach_box(route, matching.reach_margin_km(route, 10, 1.0))
    inside = 0
    for _ in range(3000):
        p = Point(rng.uniform(41.25, 41.55), rng.uniform(1.95, 2.35))
        match = matching.match_offer(offer, origin=p, destination=POBLENOU, settings=door)
        if match is not None:
            inside += 1
            assert box.min_lat <= p.lat <= box.max_lat
            assert box.min_lng <= p.lng <= box.max_lng
    assert inside > 100


def test_suggested_price_is_the_published_cap(alice: User) -> None:
    assert services.price_cap_cents(distance_km=10, seats=3) == 50  # 10 km x 20 c / 4 people
