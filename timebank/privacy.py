"""The timebank in a member's data export, and what leaving does to it.

Hours are a mutual-credit currency: the sum of all balances is zero. A member leaving with
hours in credit or debt would break that promise to the others, so leaving waits until the
balance is zero (give spare hours to the community, or settle a debt) and no exchange or chore
is under way. Transfers and movements stay: they are the other members' history too.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from coop.members.models import User
from coop.members.privacy_registry import privacy_register
from timebank.models import (
    Chore,
    ChoreStatus,
    Endorsement,
    Exchange,
    ExchangeStatus,
    Movement,
    Post,
    TimeAccount,
)

_OPEN_EXCHANGES = [
    ExchangeStatus.REQUESTED,
    ExchangeStatus.ACCEPTED,
    ExchangeStatus.COMPLETED,
    ExchangeStatus.DISPUTED,
]


def _exchanges(member: User) -> Any:
    return Exchange.objects.filter(
        Q(provider=member) | Q(receiver=member) | Q(requester=member)
    ).distinct()


def export(member: User) -> dict[str, Any]:
    account = TimeAccount.objects.filter(owner=member).first()
    return {
        "balance_minutes": account.balance_minutes if account else 0,
        "posts": [
            {
                "id": post.pk,
                "kind": post.kind,
                "title": post.title,
                "description": post.description,
                "category": post.category,
                "tags": list(post.tags),
                "location": {"lat": post.lat, "lng": post.lng} if post.lat is not None else None,
                "is_active": post.is_active,
                "created_at": post.created_at,
            }
            for post in Post.objects.filter(author=member).order_by("pk")
        ],
        "exchanges": [
            {
                "id": exchange.pk,
                "post": exchange.post_id,
                "role": "provider" if exchange.provider_id == member.pk else "receiver",
                "minutes": exchange.minutes,
                "status": exchange.status,
                "created_at": exchange.created_at,
            }
            for exchange in _exchanges(member).order_by("pk")
        ],
        "movements": [
            {
                "amount_minutes": movement.amount_minutes,
                "balance_after_minutes": movement.balance_after_minutes,
                "kind": movement.transfer.kind,
                "note": movement.transfer.note,
                "created_at": movement.created_at,
            }
            for movement in Movement.objects.filter(account__owner=member)
            .select_related("transfer")
            .order_by("pk")
        ],
        "endorsements_written": [
            {"subject": row.subject_id, "text": row.text, "created_at": row.created_at}
            for row in Endorsement.objects.filter(author=member).order_by("pk")
        ],
        "endorsements_received": [
            {"text": row.text, "created_at": row.created_at}
            for row in Endorsement.objects.filter(subject=member).order_by("pk")
        ],
        "chores": [
            {"title": chore.title, "minutes": chore.minutes, "status": chore.status}
            for chore in Chore.objects.filter(assignee=member).order_by("pk")
        ],
    }


def obligations(member: User) -> list[str]:
    found = []
    account = TimeAccount.objects.filter(owner=member).first()
    if account is not None and account.balance_minutes != 0:
        found.append(
            f"Your timebank balance is {account.balance_minutes} minutes: give spare hours to "
            "the community or settle what you owe first."
        )
    if _exchanges(member).filter(status__in=_OPEN_EXCHANGES).exists():
        found.append("A timebank exchange of yours is still under way.")
    if Chore.objects.filter(
        Q(assignee=member) | Q(swap_to=member),
        status__in=[ChoreStatus.OFFERED, ChoreStatus.ASSIGNED],
    ).exists():
        found.append("A community chore is assigned or offered to you.")
    return found


def anonymise(member: User) -> None:
    # Posts are the member's own words and places; exchanges point at them, so they stay as
    # empty, inactive rows.
    Post.objects.filter(author=member).update(
        title="Removed", description="", tags=[], lat=None, lng=None, is_active=False
    )
    Endorsement.objects.filter(author=member).update(text="")
    Chore.declined_by.through.objects.filter(user=member).delete()


def locks(member: User) -> list[TimeAccount]:
    """The member's time account: a transfer locks both accounts, then both members
    (`transfer_create`): one under way is seen in the balance, a later one finds them gone."""
    return list(TimeAccount.objects.filter(owner=member))


privacy_register(
    section="timebank", export=export, anonymise=anonymise, obligations=obligations, locks=locks
)
