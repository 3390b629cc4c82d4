from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema

from coop.geo.schemas import PointSchema


class MemberRef(Schema):
    id: int
    display_name: str


class PostIn(Schema):
    kind: Literal["offer", "request"]
    title: str = Field(..., min_length=1, max_length=120)
    description: str = Field("", max_length=4000)
    category: str
    tags: list[str] = Field(default_factory=list, max_length=10)
    location: PointSchema | None = None


class PostOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    category: str
    tags: list[str]
    author: MemberRef
    location: PointSchema | None = Field(
        None, description="Exact for the author; an approximate point (100-300 m off) for others."
    )
    distance_km: float | None = None
    is_active: bool
    created_at: datetime


class AccountOut(Schema):
    balance_minutes: int
    min_balance_minutes: int
    max_balance_minutes: int
    weekly_digest: bool
    is_coordinator: bool


class AccountPatch(Schema):
    weekly_digest: bool


class TransferIn(Schema):
    to_member: int
    minutes: int
    note: str = Field("", max_length=500)
    on_behalf_of: int | None = Field(
        None, description="Coordinators: the member whose hours are sent (they are notified)."
    )


class GiftIn(Schema):
    minutes: int
    note: str = Field("", max_length=500)


class TransferOut(Schema):
    id: int
    kind: str
    from_member: MemberRef | None
    to_member: MemberRef | None
    amount_minutes: int
    note: str
    recorded_by: MemberRef | None
    created_at: datetime


class ExchangeIn(Schema):
    post: int
    minutes: int
    on_behalf_of: int | None = Field(None, description="Coordinators: the member answering.")


class PostRef(Schema):
    id: int
    kind: str
    title: str


class ExchangeOut(Schema):
    id: int
    post: PostRef
    provider: MemberRef
    receiver: MemberRef
    requester: MemberRef
    minutes: int
    status: str
    dispute_reason: str
    created_at: datetime
    accepted_at: datetime | None
    completed_at: datetime | None
    confirmed_at: datetime | None
    closed_at: datetime | None


class DisputeIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


class ResolveIn(Schema):
    outcome: Literal["confirm", "cancel"]


class EndorsementIn(Schema):
    text: str = Field(..., min_length=1, max_length=500)


class EndorsementOut(Schema):
    id: int
    exchange: int
    author: MemberRef
    subject: MemberRef
    text: str
    created_at: datetime


class ProfileOut(Schema):
    id: int
    display_name: str
    bio: str
    skills: list[str]
    area: PointSchema | None
    endorsements: list[EndorsementOut]
    exchanges_confirmed: int


class MovementOut(Schema):
    id: int
    transfer_id: int
    kind: str
    amount_minutes: int = Field(..., description="Negative when hours left my account.")
    balance_after_minutes: int
    counterparty: MemberRef | None = Field(None, description="Null for the community account.")
    note: str
    exchange_id: int | None
    recorded_by: MemberRef | None
    created_at: datetime


class ChoreIn(Schema):
    title: str = Field(..., min_length=1, max_length=120)
    description: str = Field("", max_length=2000)
    minutes: int
    location: PointSchema | None = None
    due_on: date | None = None


class ChoreOut(Schema):
    id: int
    title: str
    description: str
    minutes: int
    status: str
    due_on: date | None
    assignee: MemberRef | None
    swap_to: MemberRef | None


class SwapIn(Schema):
    to_member: int


class CandidateOut(Schema):
    member: MemberRef
    explanation: dict[str, Any]


class CoordinatorIn(Schema):
    member: int
