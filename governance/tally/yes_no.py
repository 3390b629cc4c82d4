"""Yes / no / abstain with a pass threshold.

Abstentions count towards turnout (and so towards quorum) but not towards the threshold, which
compares yes with yes + no:

- `simple_majority`: passes when yes > no. A tie does not pass (the status quo stands).
- `two_thirds`: passes when yes >= 2/3 of (yes + no), the rule for changes to the rules.

With no yes and no no votes at all, nothing passes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from coop.algorithms import algorithm_register

SIMPLE_MAJORITY = "simple_majority"
TWO_THIRDS = "two_thirds"
THRESHOLDS = (SIMPLE_MAJORITY, TWO_THIRDS)
CHOICES = ("yes", "no", "abstain")

ALGORITHM = algorithm_register(
    slug="governance.yes_no",
    name="Yes / no vote with a pass threshold",
    version="1",
    description=(
        "Counts yes, no and abstain. Abstentions count for quorum only. Simple majority passes "
        "when yes > no (a tie fails); two thirds passes when yes is at least two thirds of yes "
        "plus no."
    ),
)


def tally(ballots: Iterable[dict[str, Any]], *, threshold: str) -> dict[str, Any]:
    if threshold not in THRESHOLDS:
        raise ValueError(f"Unknown threshold {threshold!r}.")
    counts = dict.fromkeys(CHOICES, 0)
    for ballot in ballots:
        counts[ballot["choice"]] += 1
    yes, no = counts["yes"], counts["no"]
    if threshold == SIMPLE_MAJORITY:
        passed = yes > no
    else:
        # Integers only: yes / (yes + no) >= 2/3  <=>  3 * yes >= 2 * (yes + no).
        passed = yes + no > 0 and 3 * yes >= 2 * (yes + no)
    return {"counts": counts, "threshold": threshold, "passed": passed, "tie": yes == no}
