"""The passenger's search map: Barcelona's districts, the rides and the searched points, drawn as
SVG by the page (coop.geo.svgmap), so no map tile or position ever leaves the site."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from coop.geo.points import Point
from coop.geo.svgmap import MapFrame
from rides import selectors
from rides.models import Offer
from stays.barcelona import DISTRICTS


def _centre(ring: Sequence[Point]) -> Point:
    return Point(sum(p.lat for p in ring) / len(ring), sum(p.lng for p in ring) / len(ring))


def search_map(
    *, offers: Sequence[Offer], origin: Point | None, destination: Point | None
) -> dict[str, Any]:
    """What rides/_search_map.html draws. The frame is the city (and the searched points, if
    outside it), so it stays put between searches and a tap always means the same place; rides
    leaving the city run off the edge. Rides are shown at their public, approximate ends."""
    outlines = [(d.name, [Point(lat, lng) for lat, lng in d.polygon]) for d in DISTRICTS]
    searched = [p for p in (origin, destination) if p is not None]
    frame = MapFrame.around([*(p for _, ring in outlines for p in ring), *searched])
    rides = []
    for offer in offers:
        start, end = selectors.offer_ends_for_public(offer)
        rides.append({"offer": offer, "start": frame.xy(start), "end": frame.xy(end)})
    return {
        "view_box": frame.view_box,
        "edges": frame.data_attributes(),
        "districts": [
            {"name": name, "path": frame.path(ring), "label": frame.xy(_centre(ring))}
            for name, ring in outlines
        ],
        "rides": rides,
        "origin": frame.xy(origin) if origin else None,
        "destination": frame.xy(destination) if destination else None,
    }
