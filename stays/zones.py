"""City zones: which zone a point is in, and the zone's policy (values are governance parameters).

Parameter scheme: each zone's four policy values are platform parameters named
`stays.zone.<slug>.<rule>` (the slug with `_` for `-`), declared in stays/parameters.py for the
zones the co-op knows (Barcelona's ten districts). A zone created later without declared keys
uses the `stays.zone_default.<rule>` parameters until its keys are added there, unless the board
links it to a declared set (`Zone.policy_key`, e.g. a new zone split off a district keeps that
district's rules); so every value the product enforces is one members can change by vote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import QuerySet

from coop.exceptions import InvalidInput
from coop.geo.points import Point
from governance.parameters import UnknownParameter, parameter_specs, parameter_value
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


def policy_key_of(zone: Zone) -> str:
    """The parameter set a zone follows: the one the board linked, else the slug's."""
    return zone.policy_key or zone.slug.replace("-", "_")


def policy_sets() -> list[str]:
    """Every declared set of zone parameters (members vote on their values)."""
    prefix, suffix = "stays.zone.", f".{RULES[0]}"
    return sorted(
        spec.key[len(prefix) : -len(suffix)]
        for spec in parameter_specs()
        if spec.key.startswith(prefix) and spec.key.endswith(suffix)
    )


def zone_policy(zone: Zone | None) -> ZonePolicy:
    """The policy in force for a zone (None: outside every zone, the defaults apply)."""
    slug = zone.slug if zone is not None else ""
    key = policy_key_of(zone) if zone is not None else ""
    values = {
        rule: (_rule_value(key, rule) if zone else parameter_value(f"stays.zone_default.{rule}"))
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


MAX_VERTICES = 500


def _cross(o: list[float], a: list[float], b: list[float]) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _segments_cross(p1: list[float], p2: list[float], q1: list[float], q2: list[float]) -> bool:
    """Proper crossing or touching of two segments (orientation test)."""
    d1, d2 = _cross(q1, q2, p1), _cross(q1, q2, p2)
    d3, d4 = _cross(p1, p2, q1), _cross(p1, p2, q2)
    if ((d1 > 0) != (d2 > 0)) and ((d3 > 0) != (d4 > 0)) and 0 not in (d1, d2, d3, d4):
        return True

    def on_segment(a: list[float], b: list[float], c: list[float]) -> bool:
        return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(
            a[1], b[1]
        )

    return any(
        d == 0 and on_segment(a, b, c)
        for d, a, b, c in ((d1, q1, q2, p1), (d2, q1, q2, p2), (d3, p1, p2, q1), (d4, p1, p2, q2))
    )


def _bad(problem: str) -> InvalidInput:
    return InvalidInput(f"The outline is not usable: {problem}", fields={"polygon": [problem]})


def _vertices(raw: object) -> list[list[float]]:
    if not isinstance(raw, list):
        raise _bad("Give a list of [latitude, longitude] pairs.")
    ring: list[list[float]] = []
    for index, vertex in enumerate(raw, start=1):
        if (
            not isinstance(vertex, list | tuple)
            or len(vertex) != 2  # a pair
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in vertex)
        ):
            raise _bad(f"Vertex {index} is not a [latitude, longitude] pair of numbers.")
        lat, lng = float(vertex[0]), float(vertex[1])
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise _bad(f"Vertex {index} is off the globe (latitude -90..90, longitude -180..180).")
        ring.append([lat, lng])
    return ring


def polygon_clean(raw: object) -> list[list[float]]:
    """A zone's outline as a ring of [lat, lng] vertices, or InvalidInput saying what is wrong.

    Accepts the ring open or closed (a repeated first vertex is dropped). Refuses fewer than
    three vertices, points off the globe, repeated vertices, a ring with no area and a ring
    that crosses itself (its inside would be ambiguous for the point-in-zone test).
    """

    ring = _vertices(raw)
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    if len(ring) < 3:
        raise _bad("At least three different vertices.")
    if len(ring) > MAX_VERTICES:
        raise _bad(f"At most {MAX_VERTICES} vertices.")
    if len({(lat, lng) for lat, lng in ring}) != len(ring):
        raise _bad("A vertex is repeated.")
    edges = [(ring[i], ring[(i + 1) % len(ring)]) for i in range(len(ring))]
    for i, (a1, a2) in enumerate(edges):
        for j in range(i + 1, len(edges)):
            if j == i + 1 or (i == 0 and j == len(edges) - 1):
                continue  # neighbours share a vertex
            b1, b2 = edges[j]
            if _segments_cross(a1, a2, b1, b2):
                raise _bad(f"Edges {i + 1} and {j + 1} cross: draw the outline without crossings.")
    twice_area = sum(
        ring[i][0] * ring[(i + 1) % len(ring)][1] - ring[(i + 1) % len(ring)][0] * ring[i][1]
        for i in range(len(ring))
    )
    if abs(twice_area) < 1e-12:
        raise _bad("The vertices lie on one line: the outline has no area.")
    return ring
