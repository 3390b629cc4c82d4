"""The Stripe boundary of lending: deposit holds through the co-op's money API.

Called after commit (never while holding a lock). A failure is logged and leaves the loan
without a held deposit: the borrower can start it again, and check-out waits until it is held.
"""

from __future__ import annotations

import logging

from django.db import transaction

from coop.exceptions import DomainError
from coop.money import payments
from coop.money.amounts import Money
from coop.money.ledger import Cause, coop_account, member_account
from coop.money.models import AccountKind, Payment, PaymentStatus
from lending.exceptions import InvalidTransition
from lending.models import DamageReport, DamageStatus, Reservation, ReservationStatus

logger = logging.getLogger(__name__)


def deposit_start(*, reservation_id: int) -> Payment | None:
    """Authorise the item's deposit on the borrower's card (manual capture). Idempotent: an
    existing live hold is returned as is."""
    reservation = Reservation.objects.select_related("item", "item__owner", "borrower").get(
        pk=reservation_id
    )
    payment = reservation.deposit_payment
    if payment is not None and payment.status not in {PaymentStatus.CANCELED, PaymentStatus.FAILED}:
        return payment
    if reservation.status not in (ReservationStatus.APPROVED, ReservationStatus.PICKED_UP):
        raise InvalidTransition("Deposits are held for approved loans only.")
    item = reservation.item
    amount = Money(item.deposit_cents, item.currency)
    # Whatever is captured (a late fee, a damage award) compensates whoever owns the item: a
    # member's payable balance, or for the common store the co-op's revenue. Nothing captured
    # is owed back to the borrower, so "deposits held" (a liability) would be the wrong home.
    account = (
        member_account(item.owner, AccountKind.MEMBER_PAYABLE, currency=item.currency)
        if item.owner is not None
        else coop_account(AccountKind.FEE_REVENUE, currency=item.currency)
    )
    try:
        payment = payments.deposit_hold(
            member=reservation.borrower,
            amount=amount,
            cause=Cause.of("lending", reservation, member=reservation.borrower),
            splits=[(account, 1)],
        )
    except DomainError:
        logger.exception("Deposit hold failed for reservation %s", reservation.pk)
        raise
    Reservation.objects.filter(pk=reservation.pk).update(deposit_payment=payment)
    return payment


def deposit_settle(*, reservation_id: int) -> None:
    """Settle the hold at the end of a loan: capture the late fee and whatever the board awarded
    on a damage report (together never more than the deposit), and release the rest."""
    reservation = Reservation.objects.select_related("deposit_payment").get(pk=reservation_id)
    payment = reservation.deposit_payment
    if payment is None or payment.status in {PaymentStatus.SUCCEEDED, PaymentStatus.CANCELED}:
        return
    report = DamageReport.objects.filter(
        reservation=reservation, status=DamageStatus.UPHELD
    ).first()
    awarded = report.awarded_cents if report is not None else 0
    owed = min(awarded + reservation.late_fee_cents, payment.amount_cents)
    if owed > 0:
        payments.deposit_capture(payment=payment, amount=Money(owed, payment.currency))
    else:
        payments.deposit_release(payment=payment)


def deposit_start_on_commit(reservation: Reservation) -> None:
    pk = reservation.pk
    transaction.on_commit(lambda: deposit_start(reservation_id=pk), robust=True)
