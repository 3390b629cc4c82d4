"""Typed shapes of the governance API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema


class ProposalIn(Schema):
    title: str = Field(max_length=200)
    text: str = Field(max_length=20_000)
    kind: str = "general"
    parameter_key: str = ""
    parameter_value: int | None = None


class ProposalOut(Schema):
    id: int
    title: str
    text: str
    kind: str
    status: str
    author: int
    author_name: str
    parameter_key: str
    parameter_value: int | None
    sponsors: int
    sponsors_needed: int
    ballot: int | None
    created_at: datetime


class CommentIn(Schema):
    text: str = Field(max_length=5000)


class CommentOut(Schema):
    id: int
    author: int
    author_name: str
    text: str
    created_at: datetime

    # Built from Comment rows: the model's `author` is the member, the API gives id and name.
    @staticmethod
    def resolve_author(comment: Any) -> int:
        return int(comment.author_id)

    @staticmethod
    def resolve_author_name(comment: Any) -> str:
        return str(comment.author.display_name)


class OptionIn(Schema):
    label: str = Field(max_length=200)
    cost_cents: int = Field(0, ge=0)
    candidate: int | None = None


class BallotIn(Schema):
    title: str = Field(max_length=200)
    kind: str
    options: list[str | OptionIn] = []
    seats: int = Field(1, ge=1, le=100)
    opens_at: datetime | None = None
    closes_at: datetime
    secret: bool = True
    allow_vote_change: bool = True
    quorum_percent: int = Field(0, ge=0, le=100)
    pass_threshold: str = "simple_majority"  # noqa: S105 - not a password
    description: str = Field("", max_length=5000)
    proposal: int | None = None
    budget_cents: int = Field(0, ge=0)
    max_approvals: int = Field(0, ge=0)
    elects_board: bool = False


class OptionOut(Schema):
    id: int
    label: str
    cost_cents: int
    candidate: int | None


class BallotOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    method: str
    status: str
    seats: int
    max_approvals: int
    budget_cents: int
    currency: str
    options: list[OptionOut]
    opens_at: datetime
    closes_at: datetime
    secret: bool
    allow_vote_change: bool
    quorum_percent: int
    pass_threshold: str
    proposal: int | None
    elects_board: bool
    tie_break_seed: str
    tie_break_rule: str
    eligible: int
    voted: int


class VoteIn(Schema):
    choice: str | None = None
    approvals: list[int] | None = None
    ranking: list[int] | None = None
    receipt: str = Field(
        "", max_length=40, description="To change a vote: the receipt of the vote it replaces."
    )
    on_behalf_of: int | None = Field(
        None, description="Vote as the proxy of this member (they must have named you)."
    )


class VoteOut(Schema):
    receipt: str
    changed: bool
    by_proxy: bool


class ProxyIn(Schema):
    holder: int


class ProxyOut(Schema):
    ballot: int
    grantor: int
    holder: int


class ResultOut(Schema):
    status: str
    eligible: int
    turnout: int
    quorum_percent: int
    quorum_met: bool | None
    outcome: dict[str, Any] | None
    rounds: list[dict[str, Any]] | None


class PublishedBallotOut(Schema):
    receipt_hash: str
    content: dict[str, Any]
    # Only on ballots that are not secret.
    member: int | None = None
    member_name: str | None = None


class DecisionOut(Schema):
    proposal: int | None
    proposal_title: str | None
    ballot: int | None
    note: str
    decided_at: datetime


class ParameterOut(Schema):
    key: str
    label: str
    description: str
    unit: str
    minimum: int
    maximum: int
    default: int
    value: int
    decision: DecisionOut | None


class AuditEntryOut(Schema):
    id: int
    created_at: datetime
    actor_label: str
    action: str
    target: str
    details: dict[str, Any]
    entry_hash: str
