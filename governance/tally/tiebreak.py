"""The published tie-break: a lot drawn from the ballot's seed.

Each option's place in the lot is the SHA-256 of "<seed>:<option id>" read as a number; the
option with the smaller number comes first (wins a tie for a seat, survives a tie for
exclusion). The seed is random and published with the ballot before voting opens, so nobody
can pick it after seeing the votes and anyone can recompute the order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

RULE = (
    "Ties are broken by a lot drawn from the seed published with the ballot: options are "
    "ordered by SHA-256('<seed>:<option id>'), smallest first; the earlier option wins a tied "
    "seat and survives a tied exclusion."
)


def lot_key(seed: str, option_id: int) -> str:
    return hashlib.sha256(f"{seed}:{option_id}".encode()).hexdigest()


def lot_order(seed: str, option_ids: Iterable[int]) -> list[int]:
    """The options in lot order: the first one wins every tie drawn by lot."""
    return sorted(option_ids, key=lambda option_id: lot_key(seed, option_id))
