"""Reads of the timebank, with related rows loaded so lists cost a fixed number of queries."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from coop.exceptions import NotFound
from coop.geo.points import Point
from coop.geo.search import Nearby, radius_search
from coop.members.models import User
from timebank.models import (
    Chore,
    ChoreStatus,
    Coordinator,
    CoordinatorAction,
    Endorsement,
    Exchange,
    ExchangeStatus,
    Movement,
    Post,
    TimeAccount,
    Transfer,
)
from timebank.services import account_for, is_coordinator

MAX_QUERY_LENGTH = 100


def post_list(
    *, q: str = "", category: str = "", kind: str = "", author: User | None = None
) -> QuerySet[Post]:
    posts = Post.objects.filter(is_active=True).select_related("author")
    q = q.strip()[:MAX_QUERY_LENGTH]
    if q:
        posts = posts.filter(
            Q(title__icontains=q) | Q(description__icontains=q) | Q(tags__icontains=q)
        )
    if category:
        posts = posts.filter(category=category)
    if kind:
        posts = posts.filter(kind=kind)
    if author is not None:
        posts = posts.filter(author=author)
    return posts


def post_list_near(
    posts: QuerySet[Post], *, center: Point, radius_km: float, limit: int | None = None
) -> list[Nearby[Post]]:
    return radius_search(posts, center=center, radius_km=radius_km, limit=limit)


def post_get(post_id: int) -> Post:
    post = Post.objects.select_related("author").filter(pk=post_id).first()
    if post is None:
        raise NotFound("No timebank post with that id.")
    return post


def exchange_list_for(user: User) -> QuerySet[Exchange]:
    return (
        Exchange.objects.filter(Q(provider=user) | Q(receiver=user))
        .select_related("post", "provider", "receiver", "requester")
        .order_by("-created_at", "-id")
    )


def exchange_get_for_user(user: User, exchange_id: int) -> Exchange:
    """The exchange if `user` is a party, on the board, or a coordinator; else 404."""
    exchange = (
        Exchange.objects.select_related("post", "provider", "receiver", "requester")
        .filter(pk=exchange_id)
        .first()
    )
    if exchange is None or not (
        exchange.is_party(user.pk) or user.is_board or is_coordinator(user)
    ):
        raise NotFound("No exchange with that id.")
    return exchange


def disputes() -> QuerySet[Exchange]:
    return Exchange.objects.filter(status=ExchangeStatus.DISPUTED).select_related(
        "post", "provider", "receiver"
    )


def movement_list_for(user: User) -> QuerySet[Movement]:
    account = account_for(user)
    return Movement.objects.filter(account=account).select_related(
        "transfer",
        "transfer__from_account__owner",
        "transfer__to_account__owner",
        "transfer__recorded_by",
    )


def coordinator_actions_for(user: User) -> QuerySet[CoordinatorAction]:
    return CoordinatorAction.objects.filter(member=user).select_related("coordinator")


def endorsements_of(user: User) -> QuerySet[Endorsement]:
    return Endorsement.objects.filter(subject=user).select_related("author", "exchange__post")


def profile_get(member_id: int) -> User:
    user = User.objects.filter(pk=member_id).first()
    if user is None or not user.in_good_standing:
        raise NotFound("No member with that id.")
    return user


def chores_for(user: User) -> QuerySet[Chore]:
    """Chores offered to, held by, or waiting for a swap to `user`, and open ones."""
    return (
        Chore.objects.filter(
            Q(assignee=user, status__in=[ChoreStatus.OFFERED, ChoreStatus.ASSIGNED])
            | Q(swap_to=user, status__in=[ChoreStatus.OFFERED, ChoreStatus.ASSIGNED])
        )
        .select_related("assignee", "swap_to")
        .order_by("due_on", "id")
    )


def chores_all() -> QuerySet[Chore]:
    return Chore.objects.select_related("assignee", "swap_to").order_by("-created_at", "-id")


# --- export ---------------------------------------------------------------------------

EXPORT_FIELDS = (
    "transfer_id",
    "created_at",
    "kind",
    "from",
    "to",
    "amount_minutes",
    "note",
    "exchange_id",
    "recorded_by",
)


def _account_name(account: TimeAccount) -> str:
    if account.owner is None:
        return "community"
    return f"{account.owner.display_name} (member {account.owner.member_number})"


def _transfer_row(transfer: Transfer) -> dict[str, Any]:
    return {
        "transfer_id": transfer.pk,
        "created_at": transfer.created_at.isoformat(),
        "kind": transfer.kind,
        "from": _account_name(transfer.from_account),
        "to": _account_name(transfer.to_account),
        "amount_minutes": transfer.amount_minutes,
        "note": transfer.note,
        "exchange_id": transfer.exchange_id,
        "recorded_by": transfer.recorded_by.display_name if transfer.recorded_by else "",
    }


def _transfers(queryset: QuerySet[Transfer]) -> Iterator[Transfer]:
    return (
        queryset.select_related("from_account__owner", "to_account__owner", "recorded_by")
        .order_by("created_at", "id")
        .iterator(chunk_size=500)
    )


def ledger_rows_for(user: User) -> Iterator[dict[str, Any]]:
    """The member's transfers, oldest first, with `balance_after_minutes` for their account."""
    account = account_for(user)
    movements = (
        Movement.objects.filter(account=account)
        .select_related(
            "transfer__from_account__owner", "transfer__to_account__owner", "transfer__recorded_by"
        )
        .order_by("id")
    )
    for movement in movements.iterator(chunk_size=500):
        row = _transfer_row(movement.transfer)
        row["my_change_minutes"] = movement.amount_minutes
        row["balance_after_minutes"] = movement.balance_after_minutes
        yield row


def bank_rows() -> Iterator[dict[str, Any]]:
    for transfer in _transfers(Transfer.objects.all()):
        yield _transfer_row(transfer)


def rows_as_csv(rows: Iterable[dict[str, Any]], *, extra: tuple[str, ...] = ()) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[*EXPORT_FIELDS, *extra])
    writer.writeheader()
    for row in rows:
        # Cells starting with =, +, - or @ would run as formulas in a spreadsheet.
        writer.writerow(
            {
                key: f"'{value}" if isinstance(value, str) and value[:1] in "=+-@" else value
                for key, value in row.items()
            }
        )
    return buffer.getvalue()


def rows_as_json(rows: Iterable[dict[str, Any]], *, generated_at: datetime) -> str:
    return json.dumps(
        {"generated_at": generated_at.isoformat(), "transfers": list(rows)}, ensure_ascii=False
    )


def coordinator_list() -> QuerySet[Coordinator]:
    return Coordinator.objects.select_related("member").order_by("member__display_name")


def endorsed_exchange_ids(*, author: User, exchange_ids: list[int]) -> set[int]:
    return set(
        Endorsement.objects.filter(author=author, exchange_id__in=exchange_ids).values_list(
            "exchange_id", flat=True
        )
    )
