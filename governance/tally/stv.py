"""Scottish STV: several seats from ranked ballots, every round published.

The rules of the Scottish Local Government Elections Order 2007, which fix the arithmetic so a
count can be redone by hand:

- Droop quota: floor(valid ballots / (seats + 1)) + 1. A ballot is valid when it ranks at least
  one option.
- Values are kept to 5 decimal places, truncated (held here as integers in 1/100000 of a vote).
- A candidate at or above the quota is elected. Surpluses are transferred one per round, the
  largest first: every ballot paper the candidate holds passes to its next continuing
  preference at value = paper value x surplus / candidate's total, truncated. The candidate
  keeps exactly the quota; the truncated remainder is published as `loss`.
- When no surplus is left to transfer and seats remain, the candidate with the fewest votes is
  excluded and all their papers pass on at their current value.
- When as many continuing candidates remain as seats, they are all elected.
- Ties (for the largest surplus, or the fewest votes) are broken by the most recent earlier
  round in which the tied candidates had different totals; failing that, by the published lot
  (tiebreak.py): the earlier candidate in the lot is treated as having more votes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from coop.algorithms import algorithm_register
from governance.tally.tiebreak import RULE, lot_order

SCALE = 100_000  # 5 decimal places

ALGORITHM = algorithm_register(
    slug="governance.stv_scottish",
    name="Single transferable vote (Scottish rules)",
    version="1",
    description=(
        "Droop quota; surpluses transferred from all of the elected candidate's papers at a "
        "fractional value truncated to five decimals, the largest surplus first; otherwise the "
        "lowest candidate is excluded. Ties look back to the latest earlier round where the "
        "totals differed, then to the lot. " + RULE
    ),
    constants={"decimal_places": 5},
)


@dataclass
class _Paper:
    ranking: list[int]
    value: int
    position: int = 0

    def current(self) -> int:
        return self.ranking[self.position]

    def move_to_next(self, continuing: set[int]) -> int | None:
        """Advance to the next continuing preference; None when the paper is exhausted."""
        for index in range(self.position + 1, len(self.ranking)):
            if self.ranking[index] in continuing:
                self.position = index
                return self.ranking[index]
        return None


def votes(value: int) -> str:
    """A scaled value as the published decimal string, e.g. 6.00000."""
    return f"{value // SCALE}.{value % SCALE:05d}"


def _order(
    candidates: Sequence[int], totals: dict[int, int], history: list[dict[int, int]], lot: list[int]
) -> list[int]:
    """Candidates from most to fewest votes, ties broken by earlier rounds and then the lot."""

    def key(candidate: int) -> tuple[Any, ...]:
        earlier = tuple(-counts.get(candidate, 0) for counts in reversed(history))
        return (-totals[candidate], *earlier, lot.index(candidate))

    return sorted(candidates, key=key)


def tally(  # noqa: PLR0915 - one count, read top to bottom in the order of the rules
    option_ids: Sequence[int], ballots: Iterable[dict[str, Any]], *, seats: int, seed: str
) -> dict[str, Any]:
    option_ids = list(option_ids)
    lot = lot_order(seed, option_ids)
    papers = [
        _Paper(ranking=list(ballot["ranking"]), value=SCALE)
        for ballot in ballots
        if ballot["ranking"]
    ]
    valid = len(papers)
    quota = (valid // (seats + 1) + 1) * SCALE
    continuing = set(option_ids)
    piles: dict[int, list[_Paper]] = {option_id: [] for option_id in option_ids}
    for paper in papers:
        piles[paper.current()].append(paper)
    totals = {option_id: sum(p.value for p in piles[option_id]) for option_id in option_ids}
    elected: list[int] = []
    excluded: list[int] = []
    pending: list[int] = []  # elected, surplus not yet transferred
    history: list[dict[int, int]] = []
    rounds: list[dict[str, Any]] = []
    non_transferable = 0
    loss = 0

    def record(
        action: str, subject: int | None, transfers: dict[int, int], newly: list[int]
    ) -> None:
        history.append(dict(totals))
        rounds.append(
            {
                "round": len(rounds) + 1,
                "action": action,
                "subject": subject,
                "counts": {str(o): votes(totals[o]) for o in option_ids},
                "transfers": {str(o): votes(v) for o, v in transfers.items() if v},
                "elected": newly,
                "excluded": [subject] if action == "exclusion" and subject is not None else [],
                "non_transferable": votes(non_transferable),
                "loss": votes(loss),
            }
        )

    def elect_reaching_quota() -> list[int]:
        reached = [c for c in continuing if totals[c] >= quota]
        newly = _order(reached, totals, history, lot)[: seats - len(elected)]
        for candidate in newly:
            continuing.discard(candidate)
            elected.append(candidate)
            pending.append(candidate)
        return newly

    def transfer(
        pile: list[_Paper], numerator: int, denominator: int
    ) -> tuple[dict[int, int], int]:
        """Pass the papers on; returns value moved per candidate and the value exhausted."""
        nonlocal non_transferable
        moved: dict[int, int] = {}
        exhausted = 0
        for paper in pile:
            paper.value = paper.value * numerator // denominator
            destination = paper.move_to_next(continuing)
            if destination is None:
                exhausted += paper.value
            else:
                piles[destination].append(paper)
                totals[destination] += paper.value
                moved[destination] = moved.get(destination, 0) + paper.value
        pile.clear()
        non_transferable += exhausted
        return moved, exhausted

    newly = elect_reaching_quota()
    record("first_preferences", None, {}, newly)
    while len(elected) < seats and continuing:
        if len(continuing) <= seats - len(elected):
            rest = _order(sorted(continuing), totals, history, lot)
            for candidate in rest:
                continuing.discard(candidate)
                elected.append(candidate)
            record("elect_remaining", None, {}, rest)
            break
        surpluses = [c for c in pending if totals[c] > quota]
        pending.clear()
        if surpluses:
            # One surplus per round, largest first; the rest wait for the following rounds.
            first, *others = _order(surpluses, totals, history, lot)
            pending.extend(others)
            total, surplus = totals[first], totals[first] - quota
            moved, exhausted = transfer(piles[first], surplus, total)
            # Truncating each paper's value drops a little of the surplus; published as loss.
            loss += surplus - sum(moved.values()) - exhausted
            totals[first] = quota
            newly = elect_reaching_quota()
            record("surplus", first, moved, newly)
            continue
        lowest = _order(sorted(continuing), totals, history, lot)[-1]
        continuing.discard(lowest)
        excluded.append(lowest)
        moved, _ = transfer(piles[lowest], 1, 1)
        totals[lowest] = 0
        newly = elect_reaching_quota()
        record("exclusion", lowest, moved, newly)
    return {
        "method": "stv",
        "rules": "scottish",
        "seats": seats,
        "valid_ballots": valid,
        "quota": votes(quota),
        "rounds": rounds,
        "winners": elected,
        "excluded": excluded,
        "tie_break": RULE,
    }
