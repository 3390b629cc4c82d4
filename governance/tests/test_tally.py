"""Each counting method against worked examples with known results."""

from __future__ import annotations

import random
from typing import Any

import pytest

from governance.tally import approval, budget, schulze, stv, yes_no
from governance.tally.tiebreak import lot_order

SEED = "published-seed"


def _ranked(groups: list[tuple[int, str]], names: str) -> tuple[list[int], list[dict[str, Any]]]:
    ids = {name: index + 1 for index, name in enumerate(names)}
    ballots = [
        {"ranking": [ids[name] for name in order]} for count, order in groups for _ in range(count)
    ]
    return list(ids.values()), ballots


def test_schulze_picks_e_in_the_45_voter_example_from_wikipedia() -> None:
    options, ballots = _ranked(
        [
            (5, "ACBED"),
            (5, "ADECB"),
            (8, "BEDAC"),
            (3, "CABED"),
            (7, "CAEBD"),
            (2, "CBADE"),
            (7, "DCEBA"),
            (8, "EBADC"),
        ],
        "ABCDE",
    )

    result = schulze.tally(options, ballots, seed=SEED)

    assert result["winners"] == [5]  # E
    assert result["decided_by_lot"] is False
    # Figures from the worked example: d[A][B] = 20, d[B][A] = 25, p[E][A] = 25.
    assert result["pairwise"]["1"]["2"] == 20
    assert result["pairwise"]["2"]["1"] == 25
    assert result["strongest_paths"]["5"]["1"] == 25


def test_schulze_breaks_a_perfect_tie_by_the_published_lot() -> None:
    ballots = [{"ranking": [1, 2]}, {"ranking": [2, 1]}]

    result = schulze.tally([1, 2], ballots, seed=SEED)

    assert result["potential_winners"] == [1, 2]
    assert result["winners"] == [lot_order(SEED, [1, 2])[0]]
    assert result["decided_by_lot"] is True


def test_schulze_ranks_unranked_options_last() -> None:
    ballots = [{"ranking": [3]}, {"ranking": [3]}, {"ranking": [1, 2]}]

    assert schulze.tally([1, 2, 3], ballots, seed=SEED)["winners"] == [3]


def test_stv_elects_chocolate_oranges_and_strawberries_at_the_party() -> None:
    # Wikipedia's "food at a party" example: 20 voters, 3 seats, Droop quota 6.
    options, ballots = _ranked(
        [(4, "O"), (2, "PO"), (8, "CS"), (4, "CH"), (1, "S"), (1, "H")],
        "OPCSH",
    )

    result = stv.tally(options, ballots, seats=3, seed=SEED)

    o, p, c, s, h = options
    assert result["quota"] == "6.00000"
    assert sorted(result["winners"]) == sorted([c, o, s])
    first, second, *_ = result["rounds"]
    assert first["counts"] == {
        str(o): "4.00000",
        str(p): "2.00000",
        str(c): "12.00000",
        str(s): "1.00000",
        str(h): "1.00000",
    }
    assert first["elected"] == [c]
    # Chocolate's surplus of 6 passes on at 6/12 = 0.5 per paper.
    assert second["action"] == "surplus"
    assert second["transfers"] == {str(s): "4.00000", str(h): "2.00000"}
    assert second["counts"][str(c)] == "6.00000"
    assert result["excluded"][0] == p


def test_stv_truncates_transfer_values_to_five_decimals_and_publishes_the_loss() -> None:
    # A: 7 first preferences with B next, quota for 2 seats of 9 ballots is 4. Surplus 3 of 7
    # moves at 3/7 = 0.42857 (truncated) per paper: 7 x 0.42857 = 2.99999, loss 0.00001.
    options, ballots = _ranked([(7, "AB"), (1, "C"), (1, "D")], "ABCD")

    result = stv.tally(options, ballots, seats=2, seed=SEED)

    a, b, _c, _d = options
    surplus_round = result["rounds"][1]
    assert surplus_round["transfers"] == {str(b): "2.99999"}
    assert surplus_round["loss"] == "0.00001"
    assert result["winners"] == [a, b]


def test_stv_excludes_on_a_tie_by_looking_at_earlier_rounds() -> None:
    # Round 1: A 5, B 3, C 2, D 2 (quota for 1 seat of 12 is 7). C and D tie at 2: nothing
    # earlier separates them, so the lot decides; its loser is excluded first.
    options, ballots = _ranked([(5, "A"), (3, "B"), (2, "CB"), (2, "DB")], "ABCD")

    result = stv.tally(options, ballots, seats=1, seed=SEED)

    _a, b, c, d = options
    loser = lot_order(SEED, [c, d])[-1]
    assert result["rounds"][1]["excluded"] == [loser]
    assert result["winners"] == [b]


def test_stv_elects_the_remaining_candidates_when_as_many_as_seats_are_left() -> None:
    options, ballots = _ranked([(1, "A"), (1, "B")], "AB")

    result = stv.tally(options, ballots, seats=2, seed=SEED)

    assert sorted(result["winners"]) == options


def test_stv_ignores_empty_rankings() -> None:
    options, ballots = _ranked([(3, "A"), (2, "B")], "AB")
    ballots.append({"ranking": []})

    result = stv.tally(options, ballots, seats=1, seed=SEED)

    assert result["valid_ballots"] == 5
    assert result["winners"] == [options[0]]


def test_yes_no_simple_majority_fails_on_a_tie_and_ignores_abstentions() -> None:
    votes = [{"choice": "yes"}, {"choice": "no"}, {"choice": "abstain"}, {"choice": "abstain"}]

    result = yes_no.tally(votes, threshold=yes_no.SIMPLE_MAJORITY)

    assert result["counts"] == {"yes": 1, "no": 1, "abstain": 2}
    assert result["passed"] is False
    assert result["tie"] is True


def test_yes_no_two_thirds_needs_exactly_two_thirds() -> None:
    two_to_one = [{"choice": "yes"}] * 2 + [{"choice": "no"}]
    three_to_two = [{"choice": "yes"}] * 3 + [{"choice": "no"}] * 2

    assert yes_no.tally(two_to_one, threshold=yes_no.TWO_THIRDS)["passed"] is True
    assert yes_no.tally(three_to_two, threshold=yes_no.TWO_THIRDS)["passed"] is False
    assert yes_no.tally(three_to_two, threshold=yes_no.SIMPLE_MAJORITY)["passed"] is True
    assert yes_no.tally([], threshold=yes_no.TWO_THIRDS)["passed"] is False


def test_approval_picks_the_most_approved_and_breaks_a_tie_at_the_cut_by_lot() -> None:
    ballots = [{"approvals": [1, 2]}, {"approvals": [2, 3]}, {"approvals": [1, 2, 3]}]

    result = approval.tally([1, 2, 3, 4], ballots, seats=2, seed=SEED)

    assert result["counts"] == {"1": 2, "2": 3, "3": 2, "4": 0}
    assert result["winners"][0] == 2
    assert result["winners"][1] == lot_order(SEED, [1, 3])[0]
    assert result["decided_by_lot"] == [result["winners"][1]]


def test_approval_without_a_tie_decides_nothing_by_lot() -> None:
    ballots = [{"approvals": [1]}, {"approvals": [1, 2]}]

    result = approval.tally([1, 2, 3], ballots, seats=1, seed=SEED)

    assert result["winners"] == [1]
    assert result["decided_by_lot"] == []


def test_budget_skips_a_project_that_does_not_fit_and_funds_cheaper_ones() -> None:
    # Support: 1 (3 votes, 600), 2 (2 votes, 500), 3 (1 vote, 300), 4 (no votes, 100). Budget 1000.
    ballots = [{"approvals": [1, 2, 3]}, {"approvals": [1, 2]}, {"approvals": [1]}]
    costs = {1: 600, 2: 500, 3: 300, 4: 100}

    result = budget.tally([1, 2, 3, 4], ballots, costs_cents=costs, budget_cents=1000, seed=SEED)

    assert result["winners"] == [1, 3]
    assert [step["decision"] for step in result["steps"]] == [
        "funded",
        "does_not_fit",
        "funded",
        "no_support",
    ]
    assert result["spent_cents"] == 900
    assert result["left_cents"] == 100


def _scaled(value: str) -> int:
    whole, fraction = value.split(".")
    return int(whole) * stv.SCALE + int(fraction)


@pytest.mark.parametrize("seed", range(20))
def test_stv_never_creates_or_loses_votes_in_any_round(seed: int) -> None:
    # Elected candidates hold the quota, the rest is with continuing candidates, exhausted
    # papers or the published truncation loss: every round adds up to the valid ballots.
    draw = random.Random(seed)
    options = [1, 2, 3, 4, 5, 6]
    ballots = [
        {"ranking": draw.sample(options, k=draw.randint(1, len(options)))}
        for _ in range(draw.randint(5, 60))
    ]

    result = stv.tally(options, ballots, seats=draw.randint(1, 4), seed=SEED)

    for round_ in result["rounds"]:
        held = sum(_scaled(count) for count in round_["counts"].values())
        assert (
            held + _scaled(round_["non_transferable"]) + _scaled(round_["loss"])
            == result["valid_ballots"] * stv.SCALE
        )
    assert len(result["winners"]) == len(set(result["winners"]))


def test_stv_passes_an_excluded_candidates_transferred_papers_on_at_their_value() -> None:
    # 2 seats, 10 ballots, quota 4. A: 6 (A>C), B: 1 (B>C), C: 1, D: 2 (D>B).
    # Round 2: A's surplus of 2 moves at 2/6: each of 6 papers is worth 0.33333, C gets 1.99998.
    # Round 3: nobody reaches 4; B (1) is the lowest and is excluded: B's paper goes to C.
    # C then has 3.99998 < 4, D has 2: D is excluded; its papers go to B (excluded) and stop.
    # One seat is left and only C continues, so C is elected with fewer than a quota.
    options, ballots = _ranked([(6, "AC"), (1, "BC"), (1, "C"), (2, "DB")], "ABCD")

    result = stv.tally(options, ballots, seats=2, seed=SEED)

    a, b, c, _d = options
    assert result["quota"] == "4.00000"
    assert result["rounds"][1]["transfers"] == {str(c): "1.99998"}
    assert result["rounds"][1]["loss"] == "0.00002"
    assert result["excluded"][0] == b
    assert result["rounds"][2]["counts"][str(c)] == "3.99998"
    assert result["winners"] == [a, c]
