"""The one radius search every app uses: "what is within R km of here, nearest first".

Two steps, so it is fast on SQLite and PostgreSQL alike without PostGIS:
1. a bounding box around the circle, as range filters on the model's latitude and longitude
   columns, which a composite index on (lat, lng) serves;
2. the exact geodesic distance for the rows in the box, keeping those within the radius.

The box is slightly larger than the circle (it is computed on a sphere and padded), so step 2
never misses a row that step 1 should have kept. Near the poles the box spans every longitude,
and a box that crosses the antimeridian becomes two longitude ranges.

"The nearest N" (`limit`) does not load the whole box, which holds thousands of rows in a dense
city: the database hands over the rows nearest by a planar distance, their N-th bounds the
reach, and only positions inside that much smaller box are read (`_nearest_rows`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import ExpressionWrapper, F, FloatField, Model, Q, QuerySet, Value

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
    With `limit`, only the nearest `limit` rows are returned, and only they (and a few more) are
    loaded as objects: see `_nearest_rows`.
    """
    validate_radius(radius_km)
    if limit is not None and limit < 1:
        raise InvalidInput(code="invalid_limit", fields={"limit": ["Must be at least 1."]})
    box = bounding_box(center, radius_km)
    candidates = within_box(queryset, box, lat_field=lat_field, lng_field=lng_field)
    if limit is not None:
        return _nearest_rows(
            candidates,
            queryset=queryset,
            center=center,
            radius_km=radius_km,
            lat_field=lat_field,
            lng_field=lng_field,
            limit=limit,
        )
    rows = [(row.pk, getattr(row, lat_field), getattr(row, lng_field), row) for row in candidates]
    return [
        Nearby(obj=row, distance_km=km)
        for km, _, row in _closest(rows, center=center, radius_km=radius_km, limit=None)
    ]


# How many rows beyond `limit` the first, planar-ordered query of a limited search loads: enough
# that the true nearest rows are almost always among them, so a third query is rarely needed.
_PROBE_SLACK = 8


def _nearest_rows(
    candidates: QuerySet[M],
    *,
    queryset: QuerySet[M],
    center: Point,
    radius_km: float,
    lat_field: str,
    lng_field: str,
    limit: int,
) -> list[Nearby[M]]:
    """The nearest `limit` rows without loading every row in the box (thousands in a dense city).

    1. Load the box's rows nearest by a cheap planar distance the database sorts by, up to
       2 x limit + slack. If the box holds fewer, they are all its rows: done, as before.
    2. Otherwise the limit-th of them, by its spherical distance stretched by the error bound,
       caps how far the true limit-th nearest row can be; nothing outside the (much smaller) box
       of that reach can be among the answer. Read only positions in that box, pick exactly.
    3. Load the few chosen rows that step 1 did not already load.
    The planar order only decides which rows step 1 loads, never the answer, so it may be crude
    (it ignores the antimeridian and the Earth's curvature).
    """
    probe_size = 2 * limit + _PROBE_SLACK
    planar = _planar_rank(center, lat_field=lat_field, lng_field=lng_field)
    probe = list(
        candidates.alias(geo_planar_rank=planar).order_by("geo_planar_rank", "pk")[:probe_size]
    )
    loaded = {row.pk: row for row in probe}
    rows = [(row.pk, getattr(row, lat_field), getattr(row, lng_field), row) for row in probe]
    if len(probe) < probe_size:
        chosen = _closest(rows, center=center, radius_km=radius_km, limit=limit)
        return [Nearby(obj=row, distance_km=km) for km, _, row in chosen]
    probe_km = sorted(_spherical_km(center.lat, center.lng, lat, lng) for _, lat, lng, _ in rows)
    reach = min(radius_km, probe_km[limit - 1] * (1 + _SPHERE_ERROR))
    # The box of a circle always contains the circle, so every row at most `reach` away is in it.
    positions = within_box(
        queryset.order_by(), bounding_box(center, reach), lat_field=lat_field, lng_field=lng_field
    ).values_list("pk", lat_field, lng_field)
    chosen_pks = _closest(
        [(pk, lat, lng, pk) for pk, lat, lng in positions],
        center=center,
        radius_km=radius_km,
        limit=limit,
    )
    missing = [pk for _, pk, _ in chosen_pks if pk not in loaded]
    if missing:
        loaded.update((row.pk, row) for row in queryset.filter(pk__in=missing))
    # A row deleted between the queries is simply left out.
    return [Nearby(obj=loaded[pk], distance_km=km) for km, pk, _ in chosen_pks if pk in loaded]


def _planar_rank(center: Point, *, lat_field: str, lng_field: str) -> ExpressionWrapper:
    """Squared equirectangular distance in degrees: plain arithmetic every database sorts by."""
    dlat = F(lat_field) - Value(center.lat)
    dlng = (F(lng_field) - Value(center.lng)) * Value(math.cos(math.radians(center.lat)))
    return ExpressionWrapper(dlat * dlat + dlng * dlng, output_field=FloatField())


P = TypeVar("P")


def _closest(
    rows: Iterable[tuple[Any, float | None, float | None, P]],
    *,
    center: Point,
    radius_km: float,
    limit: int | None,
) -> list[tuple[float, Any, P]]:
    """(exact km, pk, payload) of the rows within the radius, nearest first, ties by pk.

    With a limit, the exact (slow) distance is computed only for rows that can still be among the
    nearest `limit`: the limit-th rough distance, stretched by the error bound, caps the answer.
    """
    rough = [
        (_spherical_km(center.lat, center.lng, lat, lng), pk, lat, lng, payload)
        for pk, lat, lng, payload in rows
        if lat is not None and lng is not None
    ]
    cutoff = radius_km
    if limit is not None and len(rough) > limit:
        kth_upper = sorted(r[0] for r in rough)[limit - 1] * (1 + _SPHERE_ERROR)
        cutoff = min(cutoff, kth_upper)
    found: list[tuple[float, Any, P]] = []
    for spherical_km, pk, lat, lng, payload in rough:
        if spherical_km * (1 - _SPHERE_ERROR) > cutoff:
            continue
        exact = distance_km(center, Point(lat, lng))
        if exact <= radius_km:
            found.append((exact, pk, payload))
    found.sort(key=lambda hit: (hit[0], hit[1]))
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
