from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="What happened, e.g. `lending.reservation_approved`.")
    title: str
    body: str
    url: str = Field(description="A path on this site to open, or empty.")
    created_at: datetime
    read_at: datetime | None


class MarkedOut(Schema):
    marked: int = Field(description="How many notifications were unread and are now read.")


class UnreadCountOut(Schema):
    unread_count: int
