from __future__ import annotations

import pytest

from coop.geo.points import Point
from governance.services.counting import parameter_set
from stays.models import Zone
from stays.tests.conftest import CIUTAT_VELLA, EIXAMPLE, GRACIA
from stays.zones import polygon_contains, zone_for_point, zone_policy

SQUARE = [[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0]]


def test_a_point_inside_a_polygon_is_inside_and_one_outside_is_not() -> None:
    assert polygon_contains(SQUARE, Point(0.5, 0.5))
    assert not polygon_contains(SQUARE, Point(1.5, 0.5))
    assert not polygon_contains(SQUARE, Point(0.5, -0.01))


def test_homes_fall_in_their_barcelona_district(zones: dict[str, Zone]) -> None:
    assert zone_for_point(Point(*EIXAMPLE)) == zones["eixample"]
    assert zone_for_point(Point(*GRACIA)) == zones["gracia"]
    assert zone_for_point(Point(*CIUTAT_VELLA)) == zones["ciutat-vella"]
    assert zone_for_point(Point(48.85, 2.35)) is None  # Paris


def test_zone_policy_values_are_governance_parameters(zones: dict[str, Zone]) -> None:
    assert zone_policy(zones["eixample"]).max_nights == 60

    parameter_set(key="stays.zone.eixample.max_nights", value=30)

    policy = zone_policy(zones["eixample"])
    assert policy.max_nights == 30
    assert policy.max_guests == 4
    assert policy.licence_required


@pytest.mark.django_db
def test_a_zone_without_its_own_parameters_uses_the_defaults() -> None:
    zone = Zone.objects.create(
        slug="new-area", name="New", polygon=SQUARE, min_lat=0, max_lat=1, min_lng=0, max_lng=1
    )

    policy = zone_policy(zone)

    assert policy.max_nights == 90
    assert policy.max_guests == 6
    assert not policy.licence_required


def test_licence_format_is_checked_when_the_zone_requires_one(zones: dict[str, Zone]) -> None:
    policy = zone_policy(zones["eixample"])

    assert policy.licence_ok("HUTB-012345")
    assert not policy.licence_ok("HUTB-12")
    assert not policy.licence_ok("")


def test_every_demo_neighbourhood_falls_in_its_own_simplified_district() -> None:
    from coop.demo.barcelona import BARRIS  # noqa: PLC0415
    from stays.barcelona import DISTRICTS  # noqa: PLC0415

    for barri in BARRIS:
        point = Point(barri.lat, barri.lng)
        inside = [d.name for d in DISTRICTS if polygon_contains(d.polygon, point)]
        assert inside == [barri.district], barri.name
