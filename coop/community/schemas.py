"""JSON shapes of `/api/v1/community`."""

from __future__ import annotations

from ninja import Field, Schema

from coop.geo.schemas import PointSchema


class MoneyLineOut(Schema):
    when: str
    description: str
    amount_cents: int


class ProjectOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    neighbourhood: str
    status: str
    amount_cents: int
    currency: str
    place: PointSchema | None
    received_cents: int
    spent_cents: int
    balance_cents: int
    progress_percent: int | None
    decision_ballot: int | None
    decision_note: str


class ProjectDetailOut(ProjectOut):
    money: list[MoneyLineOut]


class ProjectIn(Schema):
    name: str = Field(..., max_length=160, examples=["Shade for the Sants playground"])
    description: str = Field(..., max_length=5000)
    neighbourhood: str = Field("", max_length=120, examples=["Sants"])
    amount_cents: int = Field(..., examples=[250000])
    place: PointSchema | None = None


class ApproveIn(Schema):
    ballot: int = Field(..., description="The closed members' ballot that passed the project.")


class RejectIn(Schema):
    reason: str = Field(..., max_length=2000)


class GiftIn(Schema):
    amount_cents: int = Field(..., examples=[2000])


class GiftOut(Schema):
    payment_id: int
    client_secret: str
    amount_cents: int
    currency: str
