"""Typed shapes of the stays API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from coop.geo.schemas import PointSchema
from coop.images.schemas import PhotoOut


class ListingIn(Schema):
    home_type: str = Field(..., examples=["entire_home"])
    title: str = Field(..., min_length=1, max_length=120)
    description: str = Field("", max_length=5000)
    capacity: int = Field(..., ge=1, le=30)
    beds: int = Field(..., ge=1, le=30)
    amenities: list[str] = Field(default_factory=list, max_length=50)
    accessibility_notes: str = Field("", max_length=2000)
    house_rules: str = Field("", max_length=2000)
    nightly_price_cents: int = Field(..., ge=1, le=10_000_000)
    cleaning_fee_cents: int = Field(0, ge=0, le=10_000_000)
    min_nights: int = Field(1, ge=1, le=365)
    max_nights: int = Field(30, ge=1, le=365)
    check_in_time: dt.time = dt.time(15, 0)
    check_out_time: dt.time = dt.time(11, 0)
    instant_book: bool = False
    cancellation_policy: str = "moderate"
    licence_number: str = Field("", max_length=60)
    address: str = Field("", max_length=300, description="Your home's address (first listing).")
    location: PointSchema | None = None


class HostRef(Schema):
    id: int
    display_name: str


class PhotoPositionIn(Schema):
    position: int = Field(..., ge=0, description="0 makes it the cover")


class ListingOut(Schema):
    id: int
    host: HostRef
    home_type: str
    status: str
    title: str
    description: str
    photos: list[PhotoOut] = Field(..., description="In the host's order; the first is the cover.")
    capacity: int
    beds: int
    amenities: list[str]
    accessibility_notes: str
    house_rules: str
    nightly_price_cents: int
    cleaning_fee_cents: int
    currency: str
    min_nights: int
    max_nights: int
    check_in_time: dt.time
    check_out_time: dt.time
    instant_book: bool
    cancellation_policy: str
    licence_number: str
    zone: str | None
    location: PointSchema
    location_is_exact: bool
    address: str | None = Field(None, description="Only for the host and confirmed guests.")
    distance_km: float | None = None
    explanation: dict[str, Any] | None = None


class StayBookingIn(Schema):
    check_in: dt.date
    check_out: dt.date
    guests: int = Field(..., ge=1, le=100)
    community_project: int


class PriceOut(Schema):
    nights: int
    nights_cents: int
    cleaning_cents: int
    coop_fee_cents: int
    community_share_cents: int
    total_cents: int


class StayQuoteOut(PriceOut):
    currency: str
    explanation: dict[str, Any]


class StayPaymentOut(Schema):
    id: int
    client_secret: str
    status: str


class RefundOut(Schema):
    id: int
    booking: int
    amount_cents: int
    currency: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str


class StayBookingOut(Schema):
    id: int
    listing: int
    guest: HostRef
    status: str
    check_in: dt.date
    check_out: dt.date
    guests: int
    instant: bool
    hold_until: dt.datetime | None
    price: PriceOut
    currency: str
    community_project: int
    payment: StayPaymentOut | None
    refund_cents: int
    refund: RefundOut | None = Field(None, description="Where the money owed back is, if any.")


class BlockIn(Schema):
    start: dt.date
    end: dt.date


class BlockOut(Schema):
    id: int
    start: dt.date
    end: dt.date
    source: str


class CalendarIn(Schema):
    url: str = Field(..., max_length=500)


class CalendarOut(Schema):
    id: int
    url: str
    last_fetched_at: dt.datetime | None
    last_error: str


class ReviewIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    text: str = Field("", max_length=3000)


class ReviewOut(Schema):
    id: int
    role: str
    rating: int
    text: str
    published: bool


class ProjectOut(Schema):
    id: int
    slug: str
    name: str
    description: str


class ListingStatusIn(Schema):
    status: str = Field(..., examples=["paused"])


class HomeIn(Schema):
    address: str = Field(..., min_length=1, max_length=300)
    location: PointSchema
    licence_number: str = Field("", max_length=60)


class HomeOut(Schema):
    address: str
    location: PointSchema
    zone: str | None
    moved_on: dt.date | None


class GuestReviewOut(Schema):
    id: int
    rating: int
    text: str
    host: HostRef
    listing: int
    published_at: dt.datetime


class ZoneIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    polygon: list[list[float]] = Field(
        ..., description="Ring of [lat, lng] vertices", examples=[[[41.38, 2.16], [41.39, 2.17]]]
    )
    policy_key: str = Field("", max_length=60, description="Declared parameter set; blank: own.")
    licence_pattern: str = Field("", max_length=200)
    description: str = Field("", max_length=2000)


class ZoneCreateIn(ZoneIn):
    slug: str = Field("", max_length=60)


class ZonePolicyOut(Schema):
    licence_required: bool
    licence_pattern: str
    max_nights: int
    max_guests: int
    new_listings: bool


class ZoneOut(Schema):
    id: int
    slug: str
    name: str
    polygon: list[list[float]]
    policy_key: str
    policy_set: str = Field(..., description="The parameter set in force: stays.zone.<set>.*")
    licence_pattern: str
    description: str
    policy: ZonePolicyOut
