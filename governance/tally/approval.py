"""Approval voting: each voter approves any number of options (up to the ballot's limit).

The `seats` options with the most approvals win. Options tied at the cut-off are ordered by the
published lot (tiebreak.py) and the result says which winners were decided by lot.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from coop.algorithms import algorithm_register
from governance.tally.tiebreak import RULE, lot_order

ALGORITHM = algorithm_register(
    slug="governance.approval",
    name="Approval vote",
    version="1",
    description=(
        "Each member approves up to the allowed number of options; the options with the most "
        "approvals win the seats. " + RULE
    ),
)


def approval_counts(option_ids: Sequence[int], ballots: Iterable[dict[str, Any]]) -> dict[int, int]:
    counts = dict.fromkeys(option_ids, 0)
    for ballot in ballots:
        for option_id in set(ballot["approvals"]):
            counts[option_id] += 1
    return counts


def ranked_by_support(counts: dict[int, int], *, seed: str) -> list[int]:
    """Most approvals first; equal counts in lot order."""
    lot = {option_id: place for place, option_id in enumerate(lot_order(seed, counts))}
    return sorted(counts, key=lambda option_id: (-counts[option_id], lot[option_id]))


def tally(
    option_ids: Sequence[int], ballots: Iterable[dict[str, Any]], *, seats: int, seed: str
) -> dict[str, Any]:
    counts = approval_counts(option_ids, ballots)
    order = ranked_by_support(counts, seed=seed)
    winners = order[:seats]
    by_lot: list[int] = []
    if 0 < seats < len(order):
        cut = counts[order[seats - 1]]
        if counts[order[seats]] == cut:
            # Everyone at the cut-off count shared the last places; the lot picked among them.
            by_lot = [option_id for option_id in winners if counts[option_id] == cut]
    return {
        "counts": {str(option_id): counts[option_id] for option_id in option_ids},
        "order": order,
        "winners": winners,
        "decided_by_lot": by_lot,
        "tie_break": RULE,
    }
