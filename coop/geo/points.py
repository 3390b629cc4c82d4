"""Points on the Earth and the distance between them.

Distances are geodesic (WGS-84 ellipsoid, through geopy), in kilometres. Every point that enters
the product from outside goes through `Point(...)`, which refuses out-of-range, NaN and infinite
coordinates with an `invalid_point` error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from geopy.distance import geodesic

from coop.exceptions import InvalidInput


class InvalidPoint(InvalidInput):
    code = "invalid_point"
    default_message = "That is not a valid point on the map."


@dataclass(frozen=True, slots=True)
class Point:
    lat: float
    lng: float

    def __post_init__(self) -> None:
        problems: dict[str, list[str]] = {}
        for name, value, limit in (("lat", self.lat, 90.0), ("lng", self.lng, 180.0)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                problems[name] = ["Must be a number."]
            elif not math.isfinite(value):
                problems[name] = ["Must be a finite number."]
            elif not -limit <= value <= limit:
                problems[name] = [f"Must be between -{limit:g} and {limit:g}."]
        if problems:
            raise InvalidPoint(fields=problems)
        # Normalise ints to floats so equal points compare and hash equal.
        object.__setattr__(self, "lat", float(self.lat))
        object.__setattr__(self, "lng", float(self.lng))

    @classmethod
    def parse(cls, text: str) -> Point:
        """`"41.3874,2.1686"` (the query-string form used by `near=`)."""
        parts = text.split(",")
        if len(parts) != 2:
            raise InvalidPoint("Write a point as latitude,longitude (e.g. 41.3874,2.1686).")
        try:
            lat, lng = (float(part) for part in parts)
        except ValueError:
            raise InvalidPoint(
                "Write a point as latitude,longitude (e.g. 41.3874,2.1686)."
            ) from None
        return cls(lat, lng)

    def as_dict(self) -> dict[str, float]:
        return {"lat": self.lat, "lng": self.lng}

    def __str__(self) -> str:
        return f"{self.lat:.6f},{self.lng:.6f}"


def distance_km(a: Point, b: Point) -> float:
    """Geodesic distance in kilometres between two points."""
    return float(geodesic((a.lat, a.lng), (b.lat, b.lng)).km)
