"""JSON shapes of `/api/v1/community`."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from coop.geo.schemas import PointSchema


class MoneyLineOut(Schema):
    when: str
    description: str
    amount_cents: int


class CommunityProjectOut(Schema):
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


class SpendOut(Schema):
    id: int
    amount_cents: int
    currency: str
    payee: str
    purpose: str
    spent_on: dt.date
    reference: str
    ledger_transaction: int


class CommunityProjectDetailOut(CommunityProjectOut):
    money: list[MoneyLineOut]
    spends: list[SpendOut]


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


class ProjectGiftIn(Schema):
    amount_cents: int = Field(..., examples=[2000])


class GiftOut(Schema):
    payment_id: int
    client_secret: str
    amount_cents: int
    currency: str


class SpendIn(Schema):
    amount_cents: int = Field(..., examples=[45000])
    payee: str = Field(..., max_length=160, examples=["Fusteria Sants SCCL"])
    purpose: str = Field(..., max_length=200, examples=["Wood for six raised beds"])
    spent_on: dt.date
    reference: str = Field(..., max_length=120, examples=["Invoice 2026-114"])
    payee_member: int | None = Field(
        None,
        description="A member reimbursed through their payable account, instead of a "
        "supplier paid from the co-op's bank.",
    )
