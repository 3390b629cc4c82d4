from __future__ import annotations

import pytest

from coop.geo.points import Point
from coop.geo.svgmap import MapFrame

BARCELONA = [Point(41.33, 2.09), Point(41.47, 2.23)]


def test_a_frame_holds_its_points_with_a_margin_and_keeps_shapes_true() -> None:
    frame = MapFrame.around(BARCELONA, pad=0.05)

    assert frame.south < 41.33
    assert frame.north > 41.47
    assert all(frame.contains(p) for p in BARCELONA)
    # 0.14 degrees of latitude are longer than 0.14 of longitude at 41 degrees north.
    assert frame.height > frame.width
    assert frame.view_box == f"0 0 400 {frame.height}"


def test_a_tap_maps_back_to_the_point_drawn_there() -> None:
    frame = MapFrame.around(BARCELONA)
    plaza = Point(41.3870, 2.1701)

    back = frame.point_at(*frame.xy(plaza))

    assert back.lat == pytest.approx(plaza.lat, abs=1e-3)
    assert back.lng == pytest.approx(plaza.lng, abs=1e-3)
    assert frame.xy(Point(frame.north, frame.west)) == (0.0, 0.0)


def test_a_ring_becomes_a_closed_path() -> None:
    frame = MapFrame(41.0, 42.0, 2.0, 3.0, width=100)

    path = frame.path([Point(42.0, 2.0), Point(41.0, 3.0), Point(41.0, 2.0)])

    assert path.startswith("M0.0,0.0 L100.0,")
    assert path.endswith(" Z")
    assert frame.path([]) == ""


def test_a_single_point_still_gets_a_city_sized_frame() -> None:
    frame = MapFrame.around([Point(41.4, 2.17)])

    assert frame.north - frame.south >= 0.01
    with pytest.raises(ValueError, match="at least one point"):
        MapFrame.around([])
