"""Typed shapes of the lending API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from coop.geo.schemas import PointSchema
from coop.images.schemas import PhotoOut


class MemberRef(Schema):
    id: int
    display_name: str


class ItemIn(Schema):
    title: str = Field(..., min_length=1, max_length=120)
    category: str = "other"
    description: str = Field("", max_length=4000)
    manual: str = Field("", max_length=8000)
    condition: str = "good"
    replacement_value_cents: int = Field(0, ge=0, le=100_000_000)
    deposit_cents: int = Field(0, ge=0, le=10_000_000)
    min_hours: int = Field(1, ge=1, le=2160)
    max_hours: int = Field(72, ge=1, le=2160)
    buffer_hours: int = Field(0, ge=0, le=168)
    auto_approve: bool = False
    pickup: PointSchema
    pickup_details: str = Field("", max_length=300)
    checkout_prompts: list[str] = Field(default_factory=list, max_length=10)
    checkin_prompts: list[str] = Field(default_factory=list, max_length=10)
    safety_check_every_days: int | None = Field(None, ge=1, le=3650)
    common_store: bool = Field(False, description="Board only: the co-op's common store owns it.")


class PhotoOrderIn(Schema):
    photo_ids: list[int] = Field(..., max_length=50, description="Every photo of the item, once.")


class ConditionPhotoOut(Schema):
    id: int
    stage: str = Field(..., description="checkout or checkin")
    url: str = Field(..., description="Only the borrower, the owner and the board may fetch it.")
    thumbnail_url: str
    width: int
    height: int
    taken_by: int | None
    created_at: datetime


class ItemPatchIn(Schema):
    """Only the fields sent change; the pickup place follows the owner's home."""

    title: str | None = Field(None, min_length=1, max_length=120)
    category: str | None = None
    description: str | None = Field(None, max_length=4000)
    manual: str | None = Field(None, max_length=8000)
    condition: str | None = None
    replacement_value_cents: int | None = Field(None, ge=0, le=100_000_000)
    deposit_cents: int | None = Field(None, ge=0, le=10_000_000)
    min_hours: int | None = Field(None, ge=1, le=2160)
    max_hours: int | None = Field(None, ge=1, le=2160)
    buffer_hours: int | None = Field(None, ge=0, le=168)
    auto_approve: bool | None = None
    pickup_details: str | None = Field(None, max_length=300)
    checkout_prompts: list[str] | None = Field(None, max_length=10)
    checkin_prompts: list[str] | None = Field(None, max_length=10)
    safety_check_every_days: int | None = Field(None, ge=1, le=3650)


class ItemOut(Schema):
    id: int
    title: str
    category: str
    description: str
    manual: str
    condition: str
    owner: MemberRef | None = Field(None, description="Null for the co-op's common store.")
    is_common_store: bool
    replacement_value_cents: int
    deposit_cents: int
    currency: str
    min_hours: int
    max_hours: int
    buffer_hours: int
    auto_approve: bool
    pickup: PointSchema = Field(
        ..., description="Exact for the owner and approved borrowers; approximate for others."
    )
    pickup_exact: bool
    pickup_details: str | None = Field(None, description="Only with the exact place.")
    checkout_prompts: list[str]
    checkin_prompts: list[str]
    out_for_repair: bool
    safety_check_overdue: bool
    reservable: bool
    photos: list[PhotoOut] = Field(default_factory=list, description="In display order.")
    distance_km: float | None = None
    explanation: dict[str, Any] | None = None


class ReservationIn(Schema):
    starts_at: datetime
    ends_at: datetime


class ExtendIn(Schema):
    ends_at: datetime


class PickupIn(Schema):
    condition_note: str = Field("", max_length=2000)
    answers: dict[str, str] = Field(default_factory=dict)


class ReturnIn(Schema):
    condition: str
    condition_note: str = Field("", max_length=2000)
    answers: dict[str, str] = Field(default_factory=dict)
    damaged: bool = False


class DamageIn(Schema):
    description: str = Field(..., min_length=1, max_length=4000)
    claimed_cents: int = Field(..., ge=1)


class DecideIn(Schema):
    awarded_cents: int = Field(..., ge=0)


class PaymentRef(Schema):
    status: str
    amount_cents: int
    client_secret: str | None = None


class ReservationOut(Schema):
    id: int
    item: int
    item_title: str
    borrower: MemberRef
    starts_at: datetime
    ends_at: datetime
    blocked_until: datetime
    status: str
    overdue: bool
    late_fee_cents: int
    currency: str
    checkout_note: str
    checkout_answers: dict[str, str]
    checkin_note: str
    checkin_answers: dict[str, str]
    damaged: bool
    picked_up_at: datetime | None
    returned_at: datetime | None
    deposit: PaymentRef | None = None
    condition_photos: list[ConditionPhotoOut] = Field(default_factory=list)


class HoldOut(Schema):
    id: int
    item: int
    status: str
    position: int | None
    offer_expires_at: datetime | None = Field(
        None, description="When offered: reserve by then, or the offer passes to the next member."
    )


class WantedIn(Schema):
    title: str = Field(..., min_length=1, max_length=120)
    category: str
    near: PointSchema | None = None


class WantedOut(Schema):
    id: int
    title: str
    category: str
    is_open: bool
    collective_purchase: int | None
    created_at: datetime
