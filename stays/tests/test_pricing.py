from __future__ import annotations

import datetime as dt

import pytest

from governance.services.counting import parameter_set
from stays.models import Listing
from stays.pricing import refund_basis_points, stay_quote

D = dt.date(2026, 7, 1)


def _listing(nightly: int, cleaning: int) -> Listing:
    return Listing(nightly_price_cents=nightly, cleaning_fee_cents=cleaning, currency="EUR")


@pytest.mark.django_db
def test_a_quote_shows_nights_cleaning_fee_and_community_share_summing_to_the_total() -> None:
    quote = stay_quote(listing=_listing(8000, 3000), check_in=D, check_out=D + dt.timedelta(3))

    assert quote.nights_total.cents == 24000
    assert quote.cleaning.cents == 3000
    assert quote.coop_fee.cents == 4050  # 15% of 270.00
    assert quote.community_share.cents == 2025  # half of the fee
    assert quote.total.cents == 24000 + 3000 + 4050


@pytest.mark.django_db
def test_the_fee_and_share_follow_their_parameters() -> None:
    parameter_set(key="stays.coop_fee_basis_points", value=1000)
    parameter_set(key="stays.community_share_basis_points", value=2500)

    quote = stay_quote(listing=_listing(10000, 0), check_in=D, check_out=D + dt.timedelta(1))

    assert quote.coop_fee.cents == 1000
    assert quote.community_share.cents == 250


@pytest.mark.django_db
def test_price_lines_always_sum_to_the_total_for_odd_amounts() -> None:
    for nightly, cleaning, nights in [(1, 0, 1), (3333, 1, 7), (9999, 777, 13), (12345, 5, 2)]:
        quote = stay_quote(
            listing=_listing(nightly, cleaning), check_in=D, check_out=D + dt.timedelta(nights)
        )
        lines = quote.nights_total + quote.cleaning + quote.coop_fee
        assert lines == quote.total
        assert quote.community_share <= quote.coop_fee
        assert quote.host_share + quote.fee_revenue + quote.community_share == quote.total


@pytest.mark.parametrize(
    ("policy", "days_before", "expected"),
    [
        ("flexible", 1, 10000),
        ("flexible", 0, 0),
        ("moderate", 5, 10000),
        ("moderate", 4, 5000),
        ("moderate", 0, 0),
        ("strict", 14, 10000),
        ("strict", 13, 5000),
        ("strict", 7, 5000),
        ("strict", 6, 0),
    ],
)
def test_refunds_follow_the_published_policy_and_the_dates(
    policy: str, days_before: int, expected: int
) -> None:
    today = D - dt.timedelta(days=days_before)

    assert refund_basis_points(policy=policy, check_in=D, today=today, by_host=False) == expected


def test_a_host_who_cancels_refunds_everything() -> None:
    assert refund_basis_points(policy="strict", check_in=D, today=D, by_host=True) == 10000
