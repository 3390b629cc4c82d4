from __future__ import annotations

import math

import pytest

from coop.geo.approximate import approximate_point
from coop.geo.points import InvalidPoint, Point, distance_km

PLACA_CATALUNYA = Point(41.3870, 2.1701)


@pytest.mark.parametrize(
    ("a", "b", "expected_km"),
    [
        # One degree of longitude on the equator of the WGS-84 ellipsoid.
        (Point(0, 0), Point(0, 1), 111.319491),
        # A quarter meridian: equator to pole.
        (Point(0, 0), Point(90, 0), 10001.965729),
        # Plaça de Catalunya to Madrid's Puerta del Sol.
        (PLACA_CATALUNYA, Point(40.4168, -3.7038), 506.4),
        (PLACA_CATALUNYA, PLACA_CATALUNYA, 0.0),
    ],
)
def test_distances_are_geodesic(a: Point, b: Point, expected_km: float) -> None:
    assert distance_km(a, b) == pytest.approx(
        expected_km, abs=0.1 if expected_km == 506.4 else 1e-3
    )
    assert distance_km(b, a) == pytest.approx(distance_km(a, b))


@pytest.mark.parametrize(
    ("lat", "lng", "field"),
    [
        (90.0001, 0, "lat"),
        (-91, 0, "lat"),
        (0, 180.5, "lng"),
        (math.nan, 0, "lat"),
        (0, math.inf, "lng"),
        (-math.inf, 0, "lat"),
        ("41", 2, "lat"),
        (True, 2, "lat"),
    ],
)
def test_bad_points_are_refused_with_the_coordinate_named(
    lat: object, lng: object, field: str
) -> None:
    with pytest.raises(InvalidPoint) as caught:
        Point(lat, lng)  # type: ignore[arg-type]
    assert field in caught.value.fields
    assert caught.value.code == "invalid_point"
    assert caught.value.status == 400


def test_edges_of_the_map_are_valid_points() -> None:
    assert Point(90, 180) == Point(90.0, 180.0)
    assert Point(-90, -180).lat == -90.0


@pytest.mark.parametrize("text", ["41.38", "a,b", "41.3,2.1,3", "", "nan,2", "95,2"])
def test_parsing_a_point_refuses_garbage(text: str) -> None:
    with pytest.raises(InvalidPoint):
        Point.parse(text)


def test_parsing_reads_lat_then_lng() -> None:
    assert Point.parse(" 41.3874, 2.1686") == Point(41.3874, 2.1686)


def test_approximate_points_are_stable_nearby_and_never_exact() -> None:
    home = Point(41.4036, 2.1564)

    shown = approximate_point(home, key="member:7")

    assert shown == approximate_point(home, key="member:7")
    assert 0.099 <= distance_km(home, shown) <= 0.301
    assert shown != approximate_point(home, key="member:8")


def test_approximate_points_spread_in_every_direction() -> None:
    home = Point(41.4036, 2.1564)
    shown = [approximate_point(home, key=f"item:{n}") for n in range(200)]

    assert sum(p.lat > home.lat for p in shown) in range(70, 131)
    assert sum(p.lng > home.lng for p in shown) in range(70, 131)
    assert all(0.099 <= distance_km(home, p) <= 0.301 for p in shown)


def test_approximate_points_depend_on_the_secret_salt(settings: object) -> None:
    home = Point(41.4036, 2.1564)
    before = approximate_point(home, key="member:7")

    settings.GEO_APPROXIMATION_SALT = "another salt"  # type: ignore[attr-defined]

    assert approximate_point(home, key="member:7") != before


def test_approximate_points_near_the_antimeridian_stay_on_the_map() -> None:
    shown = [approximate_point(Point(0, 179.9999), key=f"x{n}") for n in range(50)]
    assert all(-180 <= p.lng <= 180 for p in shown)
    assert any(p.lng < 0 for p in shown)
