from __future__ import annotations

import pytest

from coop.money.amounts import Money
from coop.surplus import patronage


def test_the_split_keeps_the_reserves_at_least_at_their_share_and_sums_to_the_surplus() -> None:
    split = patronage.surplus_split(surplus=Money(9001, "EUR"), reserves_bp=3000, community_bp=1000)

    assert (split.reserves.cents, split.community.cents, split.dividend_pool.cents) == (
        2701,
        900,
        5400,
    )
    assert split.reserves + split.community + split.dividend_pool == split.surplus


def test_the_split_refuses_reserves_below_the_legal_minimum() -> None:
    with pytest.raises(ValueError, match="legal minimum"):
        patronage.surplus_split(surplus=Money(100, "EUR"), reserves_bp=1999, community_bp=0)


def test_a_loss_leaves_nothing_to_split() -> None:
    split = patronage.surplus_split(surplus=Money(-500, "EUR"), reserves_bp=3000, community_bp=0)

    assert split.dividend_pool.is_zero
    assert split.reserves.is_zero


def test_dividends_add_up_to_the_pool_by_largest_remainder() -> None:
    parts = patronage.dividends_for(Money(100, "EUR"), [1, 1, 1])

    assert [part.cents for part in parts] == [34, 33, 33]


def test_points_are_quantities_times_weights() -> None:
    weights = {measure.weight_key: 2 for measure in patronage.MEASURES}

    assert patronage.points_for({"fees_paid": 10, "minutes_given": 3}, weights) == 26
