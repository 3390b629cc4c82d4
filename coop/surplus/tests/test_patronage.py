from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from coop.members.models import User
from coop.money.amounts import Money
from coop.money.ledger import Cause, coop_account, ledger_post
from coop.money.models import (
    AccountKind,
    LedgerTransaction,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    Refund,
)
from coop.surplus import patronage
from coop.surplus.patronage import PATRONAGE, activity_for_year
from coop.surplus.tests.conftest import fee_paid


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


def _deposit_booked(member: User, cents: int) -> LedgerTransaction:
    """What capturing (cents > 0) or refunding (cents < 0) a common-store deposit books."""
    amount = Money(cents, "EUR")
    return ledger_post(
        entries=[
            (coop_account(AccountKind.CLEARING), amount),
            (coop_account(AccountKind.FEE_REVENUE), -amount),
        ],
        cause=Cause(service="lending", member=member),
        description=f"Lending deposit paid by {member.display_name}",
    )


@pytest.mark.django_db
def test_late_fees_and_damage_awards_from_deposits_earn_no_patronage(bob: User) -> None:
    year = timezone.localdate().year - 1
    with time_machine.travel(dt.datetime(year, 6, 15, 10, tzinfo=dt.UTC), tick=False):
        fee_paid(bob, 500, service="lending")
        deposit = Payment.objects.create(
            stripe_id="pi_late",
            client_secret="secret",
            payer=bob,
            purpose=PaymentPurpose.DEPOSIT,
            amount_cents=5000,
            currency="EUR",
            manual_capture=True,
            captured_cents=1200,
            status=PaymentStatus.SUCCEEDED,
            service="lending",
            ledger_transaction=_deposit_booked(bob, 1200),
        )
        Refund.objects.create(
            stripe_id="re_late",
            payment=deposit,
            amount_cents=200,
            status="succeeded",
            ledger_transaction=_deposit_booked(bob, -200),
        )

    activity = activity_for_year(year=year, currency="EUR")

    # Only the loan's co-op fee counts; the 1,200 late fee (200 of it refunded) does not.
    assert activity[bob.pk] == {"fees_paid": 500}
    assert "late fees and damage awards" in PATRONAGE.description
