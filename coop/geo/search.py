"""The one radius search every app uses: "what is within R km of here, nearest first".

Two steps, so it is fast on SQLite and PostgreSQL alike without PostGIS:
1. a bounding box around the circle, as range filters on the model's latitude and longitude
   columns, which a composite index on (lat, lng) serves;
2. the exact geodesic distance for the rows in the box, keeping those within the radius.

The box is slightly larger than the circle (it is computed on a sphere and padded), so step 2
never misses a row that step 1 should have kept. Near the poles the box spans every longitude,
and a box that crosses the antimeridian becomes two longitude ranges.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Model, Q, QuerySet

from coop.exceptions import InvalidInput
from coop.geo.points import Point, distance_km

# Mean radius on the small side, so the box errs large (WGS-84 polar radius is 6356.8 km).
_EARTH_RADIUS_KM = 6356.0
_PAD = 1.01
MAX_RADIUS_KM = 1000.0

M = TypeVar("M", bound=Model)


@dataclass(frozen=True, slots=True)
class Nearby(Generic[M]):
    obj: M
    distance_km: float


@dataclass(frozen=True, slots=True)
class BoundingBox:
    min_lat: float
    max_lat: float
    # One or two (min_lng, max_lng) ranges; two when the box crosses the antimeridian.
    lng_ranges: tuple[tuple[float, float], ...]


def bounding_box(center: Point, radius_km: float) -> BoundingBox:
    angular = radius_km / _EARTH_RADIUS_KM * _PAD
    dlat = math.degrees(angular)
    min_lat, max_lat = center.lat - dlat, center.lat + dlat
    if min_lat <= -90 or max_lat >= 90:
        return BoundingBox(max(min_lat, -90.0), min(max_lat, 90.0), ((-180.0, 180.0),))
    # The widest longitude span of the circle, at the latitude furthest from the equator.
    widest_lat = math.radians(max(abs(min_lat), abs(max_lat)))
    dlng = math.degrees(angular / math.cos(widest_lat))
    if dlng >= 180:
        return BoundingBox(min_lat, max_lat, ((-180.0, 180.0),))
    west, east = center.lng - dlng, center.lng + dlng
    if west < -180:
        ranges: tuple[tuple[float, float], ...] = ((west + 360, 180.0), (-180.0, east))
    elif east > 180:
        ranges = ((west, 180.0), (-180.0, east - 360))
    else:
        ranges = ((west, east),)
    return BoundingBox(min_lat, max_lat, ranges)


def validate_radius(radius_km: float) -> float:
    if not math.isfinite(radius_km) or radius_km <= 0 or radius_km > MAX_RADIUS_KM:
        raise InvalidInput(
            code="invalid_radius",
            fields={"radius_km": [f"Must be more than 0 and at most {MAX_RADIUS_KM:g} km."]},
        )
    return radius_km


def within_box(
    queryset: QuerySet[M], box: BoundingBox, *, lat_field: str, lng_field: str
) -> QuerySet[M]:
    lng_filter = Q()
    for west, east in box.lng_ranges:
        lng_filter |= Q(**{f"{lng_field}__gte": west, f"{lng_field}__lte": east})
    return queryset.filter(
        lng_filter, **{f"{lat_field}__gte": box.min_lat, f"{lat_field}__lte": box.max_lat}
    )


def radius_search(
    queryset: QuerySet[M],
    *,
    center: Point,
    radius_km: float,
    lat_field: str = "lat",
    lng_field: str = "lng",
    limit: int | None = None,
) -> list[Nearby[M]]:
    """Rows of `queryset` within `radius_km` of `center`, nearest first (ties by primary key).

    The model must have an index on (lat_field, lng_field). Rows with no position are skipped.
    With `limit`, only the nearest `limit` rows are returned, and the exact distance is computed
    only for rows that can still be among them.
    """
    validate_radius(radius_km)
    if limit is not None and limit < 1:
        raise InvalidInput(code="invalid_limit", fields={"limit": ["Must be at least 1."]})
    box = bounding_box(center, radius_km)
    candidates = within_box(queryset, box, lat_field=lat_field, lng_field=lng_field)
    rough = _rough_distances(candidates, center=center, lat_field=lat_field, lng_field=lng_field)
    # Keep only rows that may be inside the circle; with a limit, also only rows that may beat
    # the limit-th nearest (its rough distance, stretched by the error bound, caps the answer).
    cutoff = radius_km
    if limit is not None and len(rough) > limit:
        kth_upper = sorted(h for h, _ in rough)[limit - 1] * (1 + _SPHERE_ERROR)
        cutoff = min(cutoff, kth_upper)
    found: list[Nearby[M]] = []
    for spherical_km, row in rough:
        if spherical_km * (1 - _SPHERE_ERROR) > cutoff:
            continue
        exact = distance_km(center, Point(getattr(row, lat_field), getattr(row, lng_field)))
        if exact <= radius_km:
            found.append(Nearby(obj=row, distance_km=exact))
    found.sort(key=lambda hit: (hit.distance_km, hit.obj.pk))
    return found[:limit] if limit is not None else found


# A sphere of the mean radius is within 0.6 % of the WGS-84 geodesic distance everywhere, so
# the cheap spherical distance can rule rows out safely before the exact (slower) one.
_MEAN_RADIUS_KM = 6371.0088
_SPHERE_ERROR = 0.006


def _spherical_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * _MEAN_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _rough_distances(
    rows: Iterable[M], *, center: Point, lat_field: str, lng_field: str
) -> list[tuple[float, M]]:
    rough: list[tuple[float, M]] = []
    for row in rows:
        lat, lng = getattr(row, lat_field), getattr(row, lng_field)
        if lat is None or lng is None:
            continue
        rough.append((_spherical_km(center.lat, center.lng, lat, lng), row))
    return rough
