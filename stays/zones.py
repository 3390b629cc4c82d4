"""City zones: which zone a point is in, and the zone's policy (values are governance parameters).

Parameter scheme: each zone's four policy values are platform parameters named
`stays.zone.<slug>.<rule>` (the slug with `_` for `-`), declared in stays/parameters.py for the
zones the co-op knows (Barcelona's ten districts). A zone created later without declared keys
uses the `stays.zone_default.<rule>` parameters until its keys are added there; so every value
the product enforces is one members can change by vote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import QuerySet

from coop.geo.points import Point
from governance.parameters import UnknownParameter, parameter_value
from stays.models import Zone

RULES = ("licence_required", "max_nights", "max_guests", "new_listings")


@dataclass(frozen=True, slots=True)
class ZonePolicy:
    zone_slug: str
    licence_required: bool
    licence_pattern: str
    max_nights: int  # per home per calendar year
    max_guests: int  # per stay
    new_listings: bool

    def licence_ok(self, licence: str) -> bool:
        if not self.licence_required:
            return True
        if not licence.strip():
            return False
        return not self.licence_pattern or re.fullmatch(self.licence_pattern, licence) is not None


def parameter_key(slug: str, rule: str) -> str:
    return f"stays.zone.{slug.replace('-', '_')}.{rule}"


def _rule_value(slug: str, rule: str) -> int:
    try:
        return parameter_value(parameter_key(slug, rule))
    except UnknownParameter:
        return parameter_value(f"stays.zone_default.{rule}")


def zone_policy(zone: Zone | None) -> ZonePolicy:
    """The policy in force for a zone (None: outside every zone, the defaults apply)."""
    slug = zone.slug if zone is not None else ""
    values = {
        rule: (_rule_value(slug, rule) if zone else parameter_value(f"stays.zone_default.{rule}"))
        for rule in RULES
    }
    return ZonePolicy(
        zone_slug=slug,
        licence_required=bool(values["licence_required"]),
        licence_pattern=zone.licence_pattern if zone is not None else "",
        max_nights=values["max_nights"],
        max_guests=values["max_guests"],
        new_listings=bool(values["new_listings"]),
    )


def polygon_contains(polygon: list[list[float]], point: Point) -> bool:
    """Ray casting (even-odd rule) on [lat, lng] vertices; fine at city scale, where the
    curvature of the Earth does not move a boundary by more than a few centimetres."""
    inside = False
    count = len(polygon)
    y, x = point.lat, point.lng
    for index in range(count):
        lat1, lng1 = polygon[index]
        lat2, lng2 = polygon[(index + 1) % count]
        if (lat1 > y) != (lat2 > y):
            crossing_lng = lng1 + (y - lat1) * (lng2 - lng1) / (lat2 - lat1)
            if x < crossing_lng:
                inside = not inside
    return inside


def bbox_of(polygon: list[list[float]]) -> dict[str, float]:
    lats = [vertex[0] for vertex in polygon]
    lngs = [vertex[1] for vertex in polygon]
    return {"min_lat": min(lats), "max_lat": max(lats), "min_lng": min(lngs), "max_lng": max(lngs)}


def zone_for_point(point: Point, zones: QuerySet[Zone] | None = None) -> Zone | None:
    """The zone containing `point`: a bounding-box filter in SQL, then the exact test here.

    Where simplified polygons overlap, the smallest candidate wins (the more specific area).
    """
    queryset = zones if zones is not None else Zone.objects.all()
    candidates = queryset.filter(
        min_lat__lte=point.lat,
        max_lat__gte=point.lat,
        min_lng__lte=point.lng,
        max_lng__gte=point.lng,
    )
    matches = [zone for zone in candidates if polygon_contains(zone.polygon, point)]
    if not matches:
        return None
    return min(matches, key=lambda z: ((z.max_lat - z.min_lat) * (z.max_lng - z.min_lng), z.slug))
