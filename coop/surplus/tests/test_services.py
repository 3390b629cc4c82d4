from __future__ import annotations

import pytest

from coop.exceptions import NotAllowed
from coop.members.exceptions import OpenObligations
from coop.members.models import User
from coop.members.services import member_delete
from coop.money.ledger import account_balance, coop_account, ledger_problems, member_account
from coop.money.models import Account, AccountKind, LedgerTransaction
from coop.notifications.models import Notification
from coop.surplus.exceptions import CloseStateError, InvalidSplit, YearNotOver
from coop.surplus.models import CloseStatus, FiscalYearClose, PatronageLine
from coop.surplus.services import (
    patronage_choose_capital,
    surplus_approve,
    surplus_pay,
    surplus_simulate,
)
from coop.surplus.tests.conftest import Year
from governance.parameters import InvalidParameterValue
from governance.services.counting import parameter_set


def _held(account: Account) -> int:
    """What the account holds, read the way a person reads it (credits positive here)."""
    return account_balance(account).cents * account.normal_sign


def _dividends(close: FiscalYearClose) -> dict[str, int]:
    return {
        line.member.display_name: line.dividend_cents
        for line in PatronageLine.objects.filter(close=close).select_related("member")
    }


def test_a_full_year_gives_the_hand_computed_dividends_summing_to_the_pool(
    last_year: Year, board: User, alice: User
) -> None:
    close = surplus_simulate(year=last_year.year, by=board)

    assert (close.revenue_cents, close.costs_cents, close.surplus_cents) == (10001, 1000, 9001)
    assert (close.reserves_cents, close.community_cents, close.dividend_cents) == (2701, 900, 5400)
    assert close.total_points == 11351
    assert _dividends(close) == {"Bob": 3331, "Charlie": 1427, "Alice": 642}
    assert sum(_dividends(close).values()) == close.dividend_cents
    alice_line = PatronageLine.objects.get(close=close, member=alice)
    assert alice_line.quantities == {
        "minutes_given": 90,
        "nights_hosted": 2,
        "seats_driven": 2,
        "items_lent": 1,
    }
    assert Notification.objects.filter(recipient=alice, kind="surplus.simulated").exists()


def test_simulating_again_replaces_the_lines(last_year: Year, board: User) -> None:
    surplus_simulate(year=last_year.year, by=board)
    close = surplus_simulate(year=last_year.year, by=board)

    assert close.lines.count() == 3


def test_the_weights_are_governance_parameters(last_year: Year, board: User) -> None:
    parameter_set(key="surplus.weight_fees", value=0)

    close = surplus_simulate(year=last_year.year, by=board)

    # Only Alice's hosting, driving, lending and time count now: the whole pool is hers.
    assert _dividends(close) == {"Alice": 5400}


def test_reserves_cannot_be_voted_below_the_legal_minimum(db: None) -> None:
    with pytest.raises(InvalidParameterValue):
        parameter_set(key="surplus.reserves_basis_points", value=1999)


def test_shares_above_the_whole_surplus_are_refused(last_year: Year, board: User) -> None:
    parameter_set(key="surplus.reserves_basis_points", value=9500)
    parameter_set(key="surplus.community_basis_points", value=1000)

    with pytest.raises(InvalidSplit):
        surplus_simulate(year=last_year.year, by=board)


def test_a_year_that_has_not_ended_cannot_be_closed(board: User) -> None:
    from django.utils import timezone  # noqa: PLC0415

    with pytest.raises(YearNotOver):
        surplus_simulate(year=timezone.localdate().year, by=board)


def test_only_the_board_simulates(last_year: Year, charlie: User) -> None:
    with pytest.raises(NotAllowed):
        surplus_simulate(year=last_year.year, by=charlie)


def test_paying_an_approved_close_books_it_through_the_ledger(
    last_year: Year, board: User, alice: User, bob: User, charlie: User
) -> None:
    close = surplus_simulate(year=last_year.year, by=board)
    patronage_choose_capital(close=close, member=alice, to_capital=True)
    close = surplus_approve(close=close, by=board)
    with pytest.raises(CloseStateError):
        surplus_simulate(year=last_year.year, by=board)

    close = surplus_pay(close=close, by=board)

    assert close.status == CloseStatus.PAID
    assert close.ledger_transaction is not None
    assert _held(member_account(bob, AccountKind.MEMBER_PAYABLE)) == 3331
    assert _held(member_account(charlie, AccountKind.MEMBER_PAYABLE)) == 1427
    assert _held(member_account(alice, AccountKind.SHARE_CAPITAL)) == 642
    assert _held(coop_account(AccountKind.RESERVES)) == 2701
    assert _held(coop_account(AccountKind.SURPLUS)) == 0
    assert LedgerTransaction.objects.filter(service="surplus").count() == 2
    assert ledger_problems() == []
    with pytest.raises(CloseStateError):
        surplus_pay(close=close, by=board)


def test_a_close_must_be_approved_before_it_is_paid(last_year: Year, board: User) -> None:
    close = surplus_simulate(year=last_year.year, by=board)

    with pytest.raises(CloseStateError):
        surplus_pay(close=close, by=board)


def test_a_member_without_a_dividend_cannot_choose_capital(last_year: Year, board: User) -> None:
    close = surplus_simulate(year=last_year.year, by=board)

    with pytest.raises(CloseStateError):
        patronage_choose_capital(close=close, member=board, to_capital=True)


def test_a_close_whose_member_has_left_since_the_simulation_is_simulated_again_first(
    last_year: Year, board: User, alice: User
) -> None:
    close = surplus_simulate(year=last_year.year, by=board)
    User.objects.filter(pk=alice.pk).update(is_active=False)

    with pytest.raises(CloseStateError, match="simulate the year again"):
        surplus_approve(close=close, by=board)

    close = surplus_approve(close=surplus_simulate(year=last_year.year, by=board), by=board)
    assert set(_dividends(close)) == {"Bob", "Charlie"}
    assert sum(_dividends(close).values()) == close.dividend_cents


def test_a_member_with_an_approved_unpaid_dividend_leaves_only_after_it_is_paid(
    last_year: Year, board: User, bob: User
) -> None:
    close = surplus_approve(close=surplus_simulate(year=last_year.year, by=board), by=board)

    with pytest.raises(OpenObligations) as caught:
        member_delete(user=bob)
    assert "dividend" in caught.value.fields["obligations"][0]
    surplus_pay(close=close, by=board)
    with pytest.raises(OpenObligations) as caught:  # now it is money owed to bob, as it should be
        member_delete(user=bob)
    assert "account holds" in caught.value.fields["obligations"][0]
