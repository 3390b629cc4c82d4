from __future__ import annotations

from ninja import Field, Schema

from coop.geo.points import Point


class PointSchema(Schema):
    """A point as the API writes it: `{"lat": 41.3874, "lng": 2.1686}`."""

    lat: float = Field(..., ge=-90, le=90, allow_inf_nan=False, examples=[41.3874])
    lng: float = Field(..., ge=-180, le=180, allow_inf_nan=False, examples=[2.1686])

    def to_point(self) -> Point:
        return Point(self.lat, self.lng)
