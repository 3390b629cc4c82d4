"""The Schulze method: a single winner from ranked ballots.

Each ballot ranks some or all options; options a ballot leaves out rank below every option it
ranks and equal with each other. d[x][y] is how many voters prefer x to y; the strength of a
path is its weakest link, and p[x][y] the strength of the strongest path from x to y (the
widest-path variant of Floyd-Warshall, using the "winning votes" measure: a link x->y exists
only when d[x][y] > d[y][x]). x is a potential winner when p[x][y] >= p[y][x] for every y. If
several options are potential winners, the published lot (tiebreak.py) picks one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from coop.algorithms import algorithm_register
from governance.tally.tiebreak import RULE, lot_order

ALGORITHM = algorithm_register(
    slug="governance.schulze",
    name="Schulze method (single winner)",
    version="1",
    description=(
        "Ranked ballots compared pairwise; the winner is the option whose strongest paths beat "
        "every other option's (winning votes). Unranked options rank last. " + RULE
    ),
)


def pairwise(
    option_ids: Sequence[int], ballots: Iterable[dict[str, Any]]
) -> dict[int, dict[int, int]]:
    """d[x][y]: how many ballots rank x above y."""
    d = {x: dict.fromkeys(option_ids, 0) for x in option_ids}
    for ballot in ballots:
        ranking = ballot["ranking"]
        place = {option_id: index for index, option_id in enumerate(ranking)}
        unranked = len(ranking)
        for x in option_ids:
            px = place.get(x, unranked)
            for y in option_ids:
                if x != y and px < place.get(y, unranked):
                    d[x][y] += 1
    return d


def strongest_paths(
    option_ids: Sequence[int], d: dict[int, dict[int, int]]
) -> dict[int, dict[int, int]]:
    p = {x: dict.fromkeys(option_ids, 0) for x in option_ids}
    for x in option_ids:
        for y in option_ids:
            if x != y and d[x][y] > d[y][x]:
                p[x][y] = d[x][y]
    for i in option_ids:
        for j in option_ids:
            if i == j:
                continue
            for k in option_ids:
                if k not in (i, j):
                    p[j][k] = max(p[j][k], min(p[j][i], p[i][k]))
    return p


def tally(
    option_ids: Sequence[int], ballots: Iterable[dict[str, Any]], *, seed: str
) -> dict[str, Any]:
    option_ids = list(option_ids)
    d = pairwise(option_ids, ballots)
    p = strongest_paths(option_ids, d)
    potential = [x for x in option_ids if all(p[x][y] >= p[y][x] for y in option_ids if y != x)]
    winner = lot_order(seed, potential)[0] if potential else None
    return {
        "pairwise": {str(x): {str(y): d[x][y] for y in option_ids if y != x} for x in option_ids},
        "strongest_paths": {
            str(x): {str(y): p[x][y] for y in option_ids if y != x} for x in option_ids
        },
        "potential_winners": potential,
        "winners": [] if winner is None else [winner],
        "decided_by_lot": len(potential) > 1,
        "tie_break": RULE,
    }
