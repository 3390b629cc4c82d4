"""Community projects a member proposed, in their export. The projects stay when the member
leaves (they belong to the neighbourhood and carry ledger money); only the link to the proposer
goes."""

from __future__ import annotations

from typing import Any

from coop.community.models import CommunityProject
from coop.members.models import User
from coop.members.privacy_registry import privacy_register


def export(member: User) -> dict[str, Any]:
    rows = CommunityProject.objects.filter(proposed_by=member).order_by("pk")
    return {
        "proposed_projects": [
            {
                "slug": row.slug,
                "name": row.name,
                "description": row.description,
                "neighbourhood": row.neighbourhood,
                "amount_cents": row.amount_cents,
                "currency": row.currency,
                "status": row.status,
            }
            for row in rows
        ]
    }


def anonymise(member: User) -> None:
    CommunityProject.objects.filter(proposed_by=member).update(proposed_by=None)


privacy_register(section="community", export=export, anonymise=anonymise)
