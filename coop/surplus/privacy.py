"""Patronage statements in a member's export. They stay when the member leaves: each line is part
of a closed year's published split and of the ledger's payout, so it keeps its (now anonymous)
member."""

from __future__ import annotations

from typing import Any

from coop.members.models import User
from coop.members.privacy_registry import privacy_register
from coop.surplus.models import CloseStatus, PatronageLine


def export(member: User) -> dict[str, Any]:
    rows = (
        PatronageLine.objects.filter(member=member).select_related("close").order_by("close__year")
    )
    return {
        "patronage": [
            {
                "year": row.close.year,
                "quantities": row.quantities,
                "points": row.points,
                "dividend_cents": row.dividend_cents,
                "to_capital": row.to_capital,
            }
            for row in rows
        ]
    }


def obligations(member: User) -> list[str]:
    """An approved close pays exactly the members on its lines, so none of them leaves between
    the approval and the payment. (Before approval, a re-simulation simply leaves them out.)"""
    years = PatronageLine.objects.filter(
        member=member, close__status=CloseStatus.APPROVED, dividend_cents__gt=0
    ).values_list("close__year", flat=True)
    return [
        f"Your patronage dividend for {year} is approved and about to be paid: leave once it is."
        for year in years
    ]


def anonymise(member: User) -> None:
    """Nothing to remove: the lines hold figures only, no personal details."""


privacy_register(section="surplus", export=export, anonymise=anonymise, obligations=obligations)
