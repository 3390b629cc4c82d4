"""A map drawn as SVG by the page itself: no tiles, nothing loaded from outside the site (the
CSP allows images from 'self' only, and members' positions never reach a tile server).

`MapFrame` projects latitude/longitude onto SVG user units with an equirectangular projection
scaled by the cosine of the frame's middle latitude, which keeps a city's shapes true to within a
fraction of a percent. The projection is linear in both axes, so a script can turn a tap back
into a point from the frame's four edges alone (`data_attributes`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from coop.geo.points import Point

# Smallest span a frame shows (degrees), so a single point still gets a sensible zoom.
_MIN_SPAN = 0.01


@dataclass(frozen=True, slots=True)
class MapFrame:
    south: float
    north: float
    west: float
    east: float
    width: int = 400

    @classmethod
    def around(cls, points: Iterable[Point], *, pad: float = 0.04, width: int = 400) -> MapFrame:
        """The smallest frame holding every point, widened by `pad` of its span on each side."""
        points = list(points)
        if not points:
            raise ValueError("A map frame needs at least one point.")
        south, north = min(p.lat for p in points), max(p.lat for p in points)
        west, east = min(p.lng for p in points), max(p.lng for p in points)
        lat_pad = max(north - south, _MIN_SPAN) * pad + max(0.0, _MIN_SPAN - (north - south)) / 2
        lng_pad = max(east - west, _MIN_SPAN) * pad + max(0.0, _MIN_SPAN - (east - west)) / 2
        return cls(south - lat_pad, north + lat_pad, west - lng_pad, east + lng_pad, width)

    @property
    def height(self) -> int:
        scale = math.cos(math.radians((self.south + self.north) / 2))
        return max(
            1, round(self.width * (self.north - self.south) / ((self.east - self.west) * scale))
        )

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    def contains(self, point: Point) -> bool:
        return self.south <= point.lat <= self.north and self.west <= point.lng <= self.east

    def xy(self, point: Point) -> tuple[float, float]:
        x = (point.lng - self.west) / (self.east - self.west) * self.width
        y = (self.north - point.lat) / (self.north - self.south) * self.height
        return round(x, 1), round(y, 1)

    def point_at(self, x: float, y: float) -> Point:
        """The inverse of `xy` (what the page's script computes for a tap)."""
        return Point(
            self.north - y / self.height * (self.north - self.south),
            self.west + x / self.width * (self.east - self.west),
        )

    def path(self, ring: Sequence[Point], *, closed: bool = True) -> str:
        """SVG path data through `ring` (closed back to its start unless `closed` is False)."""
        steps = [f"{x},{y}" for x, y in map(self.xy, ring)]
        if not steps:
            return ""
        return "M" + " L".join(steps) + (" Z" if closed else "")

    def data_attributes(self) -> dict[str, str]:
        """The frame's edges for a script that maps taps back to points."""
        return {
            "south": f"{self.south:.6f}",
            "north": f"{self.north:.6f}",
            "west": f"{self.west:.6f}",
            "east": f"{self.east:.6f}",
        }
