"""Participatory budget: fund the most supported projects while the money lasts.

Members approve the projects they want. Projects are taken in order of support (most
approvals first; equal support in the published lot order). Each project is funded if its full
cost fits in what is left of the budget; a project that does not fit is skipped and the count
goes on with the next, cheaper ones, as Decide Madrid does, so money is not left idle because
one large project did not fit. A project nobody supported is never funded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from coop.algorithms import algorithm_register
from governance.tally.approval import approval_counts, ranked_by_support
from governance.tally.tiebreak import RULE

ALGORITHM = algorithm_register(
    slug="governance.participatory_budget",
    name="Participatory budget (greedy by support)",
    version="1",
    description=(
        "Projects in order of approvals; each is funded if its whole cost fits in the money "
        "left, otherwise skipped while cheaper ones further down may still fit. Projects with "
        "no support are not funded. " + RULE
    ),
)


def tally(
    option_ids: Sequence[int],
    ballots: Iterable[dict[str, Any]],
    *,
    costs_cents: dict[int, int],
    budget_cents: int,
    seed: str,
) -> dict[str, Any]:
    counts = approval_counts(option_ids, ballots)
    left = budget_cents
    steps: list[dict[str, Any]] = []
    winners: list[int] = []
    for option_id in ranked_by_support(counts, seed=seed):
        cost = costs_cents[option_id]
        if counts[option_id] == 0:
            decision = "no_support"
        elif cost <= left:
            decision = "funded"
            left -= cost
            winners.append(option_id)
        else:
            decision = "does_not_fit"
        steps.append(
            {
                "option": option_id,
                "approvals": counts[option_id],
                "cost_cents": cost,
                "decision": decision,
                "left_cents": left,
            }
        )
    return {
        "counts": {str(option_id): counts[option_id] for option_id in option_ids},
        "budget_cents": budget_cents,
        "spent_cents": budget_cents - left,
        "left_cents": left,
        "steps": steps,
        "winners": winners,
        "tie_break": RULE,
    }
