from __future__ import annotations

import random
from typing import Any

import pytest
from django.db import connection
from geopy.distance import geodesic

from coop.exceptions import InvalidInput
from coop.geo.points import Point, distance_km
from coop.geo.search import Nearby, bounding_box, radius_search, within_box
from coop.members.models import User

pytestmark = pytest.mark.django_db


def make_people(points: list[Point]) -> None:
    User.objects.bulk_create(
        User(email=f"p{n}@example.org", display_name=f"P{n}", home_lat=p.lat, home_lng=p.lng)
        for n, p in enumerate(points)
    )


def search(center: Point, radius_km: float) -> list[tuple[str, float]]:
    hits = radius_search(
        User.objects.all(),
        center=center,
        radius_km=radius_km,
        lat_field="home_lat",
        lng_field="home_lng",
    )
    return [(hit.obj.email, hit.distance_km) for hit in hits]


def nearest(center: Point, radius_km: float, limit: int) -> list[Nearby[User]]:
    return radius_search(
        User.objects.all(),
        center=center,
        radius_km=radius_km,
        lat_field="home_lat",
        lng_field="home_lng",
        limit=limit,
    )


def brute_force(center: Point, radius_km: float) -> list[tuple[str, float]]:
    found = []
    for user in User.objects.all():
        if user.home is None:
            continue
        distance = distance_km(center, user.home)
        if distance <= radius_km:
            found.append((user.pk, user.email, distance))
    return [(email, d) for _, email, d in sorted(found, key=lambda row: (row[2], row[0]))]


@pytest.mark.parametrize(
    ("center", "spread_deg", "radius_km"),
    [
        (Point(41.3870, 2.1701), 0.15, 3.0),  # Barcelona, a neighbourhood search
        (Point(41.3870, 2.1701), 0.15, 12.0),  # the whole city
        (Point(0.0, 179.95), 0.3, 20.0),  # across the antimeridian
        (Point(89.95, 20.0), 0.2, 15.0),  # around the North Pole
        (Point(-33.0, -70.0), 2.0, 150.0),  # a wide regional search
    ],
)
def test_radius_search_finds_exactly_what_a_brute_force_scan_finds(
    center: Point, spread_deg: float, radius_km: float
) -> None:
    rng = random.Random(f"{center}-{radius_km}")
    points = []
    for _ in range(400):
        lat = max(-90.0, min(90.0, center.lat + rng.uniform(-spread_deg, spread_deg)))
        lng = (center.lng + rng.uniform(-spread_deg, spread_deg) * 3 + 180) % 360 - 180
        points.append(Point(lat, lng))
    make_people(points)

    expected = brute_force(center, radius_km)

    assert expected, "the scenario should find someone"
    assert len(expected) < len(points), "the scenario should leave someone out"
    assert search(center, radius_km) == expected


def test_results_come_nearest_first_with_distances() -> None:
    center = Point(41.3870, 2.1701)
    make_people([Point(41.40, 2.17), Point(41.388, 2.170), Point(41.39, 2.18)])

    hits = search(center, 5)

    distances = [d for _, d in hits]
    assert distances == sorted(distances)
    assert hits[0][0] == "p1@example.org"
    assert distances[0] == pytest.approx(distance_km(center, Point(41.388, 2.170)))


def test_people_without_a_home_are_never_found() -> None:
    User.objects.create(email="nowhere@example.org", display_name="Nowhere")
    assert search(Point(0, 0), 1000) == []


def test_a_point_exactly_on_the_radius_is_inside() -> None:
    center = Point(0, 0)
    make_people([Point(0, 1)])
    assert len(search(center, distance_km(center, Point(0, 1)))) == 1


@pytest.mark.parametrize("radius", [0, -1, float("nan"), float("inf"), 1000.1])
def test_an_unusable_radius_is_refused(radius: float) -> None:
    with pytest.raises(InvalidInput) as caught:
        search(Point(0, 0), radius)
    assert "radius_km" in caught.value.fields


def test_the_bounding_box_always_contains_the_circle() -> None:
    rng = random.Random(7)
    for _ in range(300):
        center = Point(rng.uniform(-89, 89), rng.uniform(-180, 180))
        radius = rng.choice([0.5, 5, 50, 500])
        box = bounding_box(center, radius)
        for bearing in range(0, 360, 15):
            edge = geodesic(kilometers=radius).destination((center.lat, center.lng), bearing)
            lat, lng = edge.latitude, (edge.longitude + 180) % 360 - 180
            assert box.min_lat <= lat <= box.max_lat
            assert any(west <= lng <= east for west, east in box.lng_ranges), (center, radius)


def test_the_prefilter_uses_the_location_index() -> None:
    box = bounding_box(Point(41.3870, 2.1701), 3)
    queryset = within_box(User.objects.all(), box, lat_field="home_lat", lng_field="home_lng")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
        plan = queryset.explain()
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_seqscan")
    else:
        plan = queryset.explain()
    assert "members_user_home_idx" in plan


def test_the_spherical_shortcut_stays_within_its_error_bound() -> None:
    from coop.geo.search import _SPHERE_ERROR, _spherical_km  # noqa: PLC0415

    rng = random.Random(11)
    for _ in range(2000):
        a = Point(rng.uniform(-89, 89), rng.uniform(-180, 180))
        b = Point(
            max(-90, min(90, a.lat + rng.uniform(-5, 5))),
            (a.lng + rng.uniform(-5, 5) + 180) % 360 - 180,
        )
        exact = distance_km(a, b)
        rough = _spherical_km(a.lat, a.lng, b.lat, b.lng)
        assert abs(rough - exact) <= exact * _SPHERE_ERROR + 1e-9


@pytest.mark.parametrize("limit", [1, 5, 37])
def test_a_limited_search_returns_the_true_nearest_rows(limit: int) -> None:
    rng = random.Random(limit)
    center = Point(41.3870, 2.1701)
    make_people(
        [
            Point(center.lat + rng.uniform(-0.05, 0.05), center.lng + rng.uniform(-0.05, 0.05))
            for _ in range(300)
        ]
    )

    hits = nearest(center, 4, limit)

    assert [(h.obj.email, h.distance_km) for h in hits] == brute_force(center, 4)[:limit]


def test_a_limited_search_across_the_antimeridian_loads_the_rows_the_planar_order_missed(
    django_assert_max_num_queries: Any,
) -> None:
    # The database's planar pre-sort ignores the antimeridian, so the nearest people (just
    # across it) are not among the rows it loads first; the exact pick must still find them.
    center = Point(0.0, 179.999)
    make_people(
        [Point(0.0, -179.999 + n * 0.0001) for n in range(3)]
        + [Point(0.0, 179.99 - n * 0.001) for n in range(40)]
    )

    with django_assert_max_num_queries(3):
        hits = nearest(center, 50, 3)

    assert [(h.obj.email, h.distance_km) for h in hits] == brute_force(center, 50)[:3]
    assert {h.obj.email for h in hits} == {"p0@example.org", "p1@example.org", "p2@example.org"}
