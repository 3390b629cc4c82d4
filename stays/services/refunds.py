"""Refunds owed to guests, until the money is back: sent, refused, retried with backoff.

A stay's refund (a cancellation, or nights taken before the payment arrived) becomes a
`BookingRefund` in the transaction that decides it; it is sent to Stripe after that commits.
The ledger books nothing here: coop.money books a refund when Stripe says it succeeded, so a
refused refund leaves the money where it was (the guest's share stays in the hold account).

Stripe is reached through coop.money.stripe_gateway with our own idempotency key per attempt:
`stays-refund-<booking>-<refusals>`. A refusal is a definite answer, so the next attempt is a new
request; a request that timed out may have reached Stripe, so it is repeated with the same key.
"""

from __future__ import annotations

import datetime as dt
import logging
from datetime import timedelta

import stripe
from django.db import transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone

from coop.members.models import User
from coop.money import stripe_gateway
from coop.money.exceptions import PaymentProviderError
from coop.money.models import PaymentStatus, Refund
from coop.money.payments import refund_apply
from coop.notifications.services import notification_send
from governance.audit import audit_record
from governance.board import board_action_check
from stays.exceptions import BookingStateError
from stays.models import Booking, BookingRefund, RefundStatus

logger = logging.getLogger(__name__)

# Backoff of the automatic retries: 15 minutes, doubling, at most a day apart; after
# MAX_AUTOMATIC_ATTEMPTS a person (the board) decides, since something needs a look.
FIRST_RETRY = timedelta(minutes=15)
LONGEST_WAIT = timedelta(days=1)
MAX_AUTOMATIC_ATTEMPTS = 8
# An attempt that started this long ago without an outcome (a worker died mid-call) is due again.
STALE_ATTEMPT = timedelta(minutes=10)
# Stripe refund statuses after which the money will not move.
_REFUSED = {"failed", "canceled"}


def retry_delay(attempts: int) -> timedelta:
    """Wait before the next automatic attempt, after `attempts` attempts."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def booking_refund_open(*, booking: Booking, amount_cents: int, reason: str) -> BookingRefund:
    """Record what the guest is owed. Caller holds the lock on `booking` in its transaction and
    sends it after commit (`booking_refund_send`)."""
    return BookingRefund.objects.create(
        booking=booking, amount_cents=amount_cents, currency=booking.currency, reason=reason
    )


def _claim(refund: BookingRefund, *, now: dt.datetime, force: bool) -> bool:
    """Take the refund for one attempt (a guarded update: two workers never send it at once)."""
    due = Q(status=RefundStatus.PENDING, attempts=0) | Q(
        status=RefundStatus.PENDING, updated_at__lte=now - STALE_ATTEMPT
    )
    if force:
        due |= Q(status=RefundStatus.FAILED)
    else:
        due |= Q(status=RefundStatus.FAILED, next_attempt_at__lte=now)
    claimed = BookingRefund.objects.filter(due, pk=refund.pk).update(
        status=RefundStatus.PENDING, attempts=F("attempts") + 1, updated_at=now
    )
    return claimed == 1


def _is_ambiguous(error: PaymentProviderError) -> bool:
    """The request may have reached Stripe (network trouble): repeat it with the same key."""
    return isinstance(error.__cause__, stripe.APIConnectionError)


def _record_refusal(
    refund: BookingRefund, error: str, *, ambiguous: bool = False, give_up: bool = False
) -> None:
    """Caller has claimed `refund` (its `attempts` counts this one)."""
    now = timezone.now()
    refund.status = RefundStatus.FAILED
    refund.refusals += 0 if ambiguous else 1
    refund.last_error = error[:300]
    give_up = give_up or refund.attempts >= MAX_AUTOMATIC_ATTEMPTS
    refund.next_attempt_at = None if give_up else now + retry_delay(refund.attempts)
    refund.save(update_fields=["status", "refusals", "last_error", "next_attempt_at", "updated_at"])
    if refund.attempts == 1 or refund.next_attempt_at is None:
        # Once when it first fails, once when the automatic retries give up: not every try.
        notification_send(
            recipient=refund.booking.guest,
            kind="stays.refund_failed",
            title=f"Your refund of {refund.amount} could not be sent yet; we are trying again.",
            url=f"/stays/bookings/{refund.booking_id}/",
        )


def _record_outcome(refund: BookingRefund, stripe_refund: Refund) -> BookingRefund:
    refund.stripe_refund = stripe_refund
    if stripe_refund.ledger_transaction_id is not None:
        refund.status = RefundStatus.SUCCEEDED
        refund.next_attempt_at = None
        refund.last_error = ""
    elif stripe_refund.status in _REFUSED:
        refund.save(update_fields=["stripe_refund", "updated_at"])
        _record_refusal(refund, f"The payment provider marked the refund {stripe_refund.status}.")
        return refund
    else:
        refund.status = RefundStatus.SENT
        refund.next_attempt_at = None
    refund.save(
        update_fields=["stripe_refund", "status", "next_attempt_at", "last_error", "updated_at"]
    )
    return refund


def _send(refund: BookingRefund) -> BookingRefund:
    """One attempt, outside any transaction (a Stripe call). The refund is claimed."""
    booking = refund.booking
    payment = booking.payment
    if (
        payment is None
        or payment.status != PaymentStatus.SUCCEEDED
        or payment.ledger_transaction_id is None
        or payment.captured_cents - payment.refunded_cents < refund.amount_cents
    ):
        # Nothing we could send: a person has to look (it should not happen).
        _record_refusal(
            refund, "The payment cannot be refunded this amount; the board checks.", give_up=True
        )
        return refund
    try:
        stripe_object = stripe_gateway.refund_create(
            intent_id=payment.stripe_id,
            amount_cents=refund.amount_cents,
            metadata={"payment": str(payment.pk), "booking": str(booking.pk)},
            idempotency_key=f"stays-refund-{booking.pk}-{refund.refusals}",
        )
    except PaymentProviderError as error:
        logger.warning("Refund of stay %s refused: %s", booking.pk, error.message)
        _record_refusal(refund, error.message, ambiguous=_is_ambiguous(error))
        return refund
    stripe_refund = refund_apply(payment=payment, refund_object=stripe_object, reason=refund.reason)
    return _record_outcome(refund, stripe_refund)


def booking_refund_send(*, refund: BookingRefund, force: bool = False) -> BookingRefund:
    """Send (or resend) a refund if it is due; `force` sends a failed one before its time."""
    if not _claim(refund, now=timezone.now(), force=force):
        refund.refresh_from_db()
        return refund
    refund = BookingRefund.objects.select_related("booking__guest", "booking__payment").get(
        pk=refund.pk
    )
    return _send(refund)


def booking_refund_sync(*, refund: BookingRefund) -> BookingRefund:
    """A sent refund takes the outcome Stripe reported later (webhook on the money side)."""
    stripe_refund = refund.stripe_refund
    if refund.status != RefundStatus.SENT or stripe_refund is None:
        return refund
    stripe_refund.refresh_from_db()
    if stripe_refund.ledger_transaction_id is None and stripe_refund.status not in _REFUSED:
        return refund
    with transaction.atomic():
        changed = BookingRefund.objects.filter(pk=refund.pk, status=RefundStatus.SENT).update(
            updated_at=timezone.now()
        )
        if changed:
            _record_outcome(refund, stripe_refund)
    return refund


def booking_refunds_retry(*, now: dt.datetime | None = None) -> int:
    """The periodic task: learn the outcome of sent refunds, and retry the due ones."""
    now = now or timezone.now()
    for refund in BookingRefund.objects.filter(status=RefundStatus.SENT).select_related(
        "stripe_refund", "booking__guest"
    ):
        booking_refund_sync(refund=refund)
    due = BookingRefund.objects.filter(
        Q(status=RefundStatus.FAILED, next_attempt_at__lte=now)
        | Q(status=RefundStatus.PENDING, updated_at__lte=now - STALE_ATTEMPT)
    ).order_by("next_attempt_at", "pk")
    sent = 0
    for due_refund in due[:200]:
        outcome = booking_refund_send(refund=due_refund)
        sent += outcome.status in {RefundStatus.SENT, RefundStatus.SUCCEEDED}
    return sent


def booking_refund_retry_now(
    *, board_member: User, request: HttpRequest | None, refund: BookingRefund
) -> BookingRefund:
    """The board sends a refused refund again now (e.g. after the guest's bank fixed a card)."""
    board_action_check(user=board_member, request=request)
    if refund.status != RefundStatus.FAILED:
        raise BookingStateError("Only a refused refund can be sent again.")
    audit_record(
        actor=board_member,
        action="stays.refund_retry",
        target=f"stays.bookingrefund:{refund.pk}",
        details={"booking": refund.booking_id, "amount_cents": refund.amount_cents},
    )
    # A new refusal is recorded on the row (and shown), not raised: the attempt and the audit
    # entry stand either way.
    return booking_refund_send(refund=refund, force=True)
