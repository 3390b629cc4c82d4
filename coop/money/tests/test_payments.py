"""What payment services refuse before they ever call Stripe, and who may approve refunds."""

from __future__ import annotations

import pytest

from coop.exceptions import NotAllowed
from coop.members.models import User
from coop.money.amounts import Money
from coop.money.exceptions import InvalidPaymentState, InvalidSplits, ShareAlreadyPaid
from coop.money.ledger import Cause, coop_account, member_account
from coop.money.models import Account, AccountKind, ShareRefundRequest, ShareRefundStatus
from coop.money.payments import deposit_capture, deposit_release, payment_refund, payment_start
from coop.money.shares import share_payment_start, share_refund_approve, share_refund_request
from coop.money.tests.factories import payment_for_test

pytestmark = pytest.mark.django_db


def _start(payer: User, amount: Money, splits: list[tuple[Account, int]]) -> None:
    payment_start(
        payer=payer, amount=amount, purpose="other", cause=Cause(service="t"), splits=splits
    )


def test_a_payment_needs_a_positive_amount_and_sensible_splits(alice: User, bob: User) -> None:
    payable = member_account(bob, AccountKind.MEMBER_PAYABLE)
    with pytest.raises(InvalidSplits):
        _start(alice, Money(0, "EUR"), [(payable, 1)])
    with pytest.raises(InvalidSplits):
        _start(alice, Money(100, "EUR"), [])
    with pytest.raises(InvalidSplits):
        _start(alice, Money(100, "EUR"), [(payable, 0)])
    with pytest.raises(InvalidSplits):
        _start(alice, Money(100, "USD"), [(payable, 1)])
    with pytest.raises(InvalidSplits):
        _start(alice, Money(100, "EUR"), [(coop_account(AccountKind.CLEARING), 1)])
    with pytest.raises(InvalidSplits):
        payment_start(
            payer=alice,
            amount=Money(100, "EUR"),
            purpose="lottery",
            cause=Cause(service="t"),
            splits=[(payable, 1)],
        )


def test_only_a_confirmed_payment_can_be_refunded(alice: User, bob: User) -> None:
    payment = payment_for_test(payer=alice, host=bob)
    with pytest.raises(InvalidPaymentState):
        payment_refund(payment=payment)


def test_deposits_are_captured_and_released_only_when_held(alice: User, bob: User) -> None:
    payment = payment_for_test(payer=alice, host=bob)
    with pytest.raises(InvalidPaymentState):
        deposit_capture(payment=payment, amount=Money(100, "EUR"))
    with pytest.raises(InvalidPaymentState):
        deposit_release(payment=payment)
    held = payment_for_test(payer=alice, host=bob, manual_capture=True)
    with pytest.raises(InvalidPaymentState):
        deposit_capture(payment=held, amount=Money(held.amount_cents + 1, "EUR"))


def test_a_member_cannot_pay_a_share_again(alice: User) -> None:
    with pytest.raises(ShareAlreadyPaid):
        share_payment_start(applicant=alice)


def test_only_another_board_member_approves_a_share_refund(
    alice: User, charlie: User, board: User
) -> None:
    request = ShareRefundRequest.objects.create(member=alice)
    with pytest.raises(NotAllowed):
        share_refund_approve(board_member=charlie, refund_request=request)
    own = ShareRefundRequest.objects.create(member=board)
    with pytest.raises(NotAllowed):
        share_refund_approve(board_member=board, refund_request=own)
    request.refresh_from_db()
    assert request.status == ShareRefundStatus.REQUESTED


def test_an_applicant_cannot_ask_for_a_share_back(applicant: User) -> None:
    with pytest.raises(InvalidPaymentState):
        share_refund_request(member=applicant)
