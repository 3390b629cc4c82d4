from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from coop.geo.schemas import PointSchema


class MeOut(Schema):
    id: int
    email: str
    display_name: str
    membership_status: str
    member_number: int | None
    is_board: bool
    home: PointSchema | None
    preferred_language: str
    bio: str
    skills: list[str]
    date_joined: datetime


class MePatch(Schema):
    display_name: str | None = Field(None, min_length=1, max_length=80)
    preferred_language: str | None = None
    bio: str | None = Field(None, max_length=2000)
    skills: list[str] | None = Field(None, max_length=30)
    home: PointSchema | None = Field(None, description="Your home; null clears it.")


class MemberPublicOut(Schema):
    id: int
    display_name: str
    member_number: int | None
    is_board: bool
    bio: str
    skills: list[str]
    member_since: datetime | None
    area: PointSchema | None = Field(
        None, description="An approximate point near the member's home (never the home itself)."
    )
