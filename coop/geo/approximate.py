"""Approximate display locations for anything whose exact place is private.

The offset is stable (the same object always shows at the same approximate point, so repeated
looks cannot be averaged back to the true one) and keyed with a secret salt (so it cannot be
undone by someone who knows the algorithm). Points are spread evenly over a ring between
MIN_OFFSET_M and MAX_OFFSET_M around the true point, so the true point is never shown and is
never further than a short walk.
"""

from __future__ import annotations

import hashlib
import hmac
import math

from django.conf import settings
from geopy.distance import geodesic

from coop.geo.points import Point

MIN_OFFSET_M = 100.0
MAX_OFFSET_M = 300.0


def _unit_fractions(key: str) -> tuple[float, float]:
    digest = hmac.new(
        settings.GEO_APPROXIMATION_SALT.encode(), key.encode(), hashlib.sha256
    ).digest()
    first = int.from_bytes(digest[:8], "big") / 2**64
    second = int.from_bytes(digest[8:16], "big") / 2**64
    return first, second


def approximate_point(
    point: Point, *, key: str, min_m: float = MIN_OFFSET_M, max_m: float = MAX_OFFSET_M
) -> Point:
    """A stable point `min_m`-`max_m` metres from `point`; `key` names the object shown."""
    bearing_fraction, radius_fraction = _unit_fractions(key)
    # Uniform over the ring's area: the radius goes as the square root of a uniform number.
    radius_m = math.sqrt(min_m**2 + radius_fraction * (max_m**2 - min_m**2))
    destination = geodesic(meters=radius_m).destination(
        (point.lat, point.lng), bearing=bearing_fraction * 360.0
    )
    lng = ((destination.longitude + 180.0) % 360.0) - 180.0
    return Point(max(-90.0, min(90.0, destination.latitude)), lng)
