"""Payments through Stripe, for every service: start, hold/capture/release, refund, confirm.

A service starts a payment with `payment_start(...)`, saying who pays, how much, why (`cause`)
and how the confirmed amount is booked (`splits`: accounts and integer weights, e.g. the host's
payable account, the co-op's fee revenue and a community project). Nothing is booked until
Stripe confirms the payment (a `payment_intent.succeeded` event); then the clearing account is
debited and the splits credited, exactly once, and the purpose's confirmation handler runs in
the same transaction (`on_payment_confirmed("share")` admits the member).

Stripe calls happen outside our database transactions, so no row lock is held while we wait on
the network; every one of them carries an idempotency key derived from our own rows, so a
retried request never charges, captures or refunds twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.db import IntegrityError, transaction

from coop.algorithms import algorithm_register
from coop.locking import lock_for_update
from coop.members.models import User
from coop.members.services import member_lock_active
from coop.money import stripe_gateway
from coop.money.amounts import Money, allocate
from coop.money.exceptions import InvalidPaymentState, InvalidSplits
from coop.money.ledger import Cause, coop_account, ledger_post
from coop.money.models import (
    Account,
    AccountKind,
    Entry,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    Refund,
    StripeCustomer,
)

# Published at /api/v1/algorithms: how a confirmed amount (and a refund) is divided.
SPLIT_ALGORITHM = algorithm_register(
    slug="money.payment_split",
    name="Booking a payment to its parties",
    version="1",
    description=(
        "A confirmed payment is divided over its parties (host or driver, co-op fee, community "
        "project...) in proportion to integer weights fixed when the payment started, by the "
        "largest-remainder method: each party gets the whole cents of its share, and the cents "
        "left over go one each to the largest remainders (ties: the earlier party). A refund is "
        "divided the same way over what each party received, so a partial refund takes back "
        "from everyone in proportion and a full refund takes back exactly what was booked."
    ),
)

ConfirmedHandler = Callable[[Payment], None]
_CONFIRMED_HANDLERS: dict[str, ConfirmedHandler] = {}

# Statuses only move forward, so an event that arrives late (a `payment_failed` after the
# retry succeeded, a `processing` after `succeeded`) cannot move a payment back.
_RANK = {
    PaymentStatus.PENDING: 0,
    PaymentStatus.FAILED: 1,
    PaymentStatus.AUTHORISED: 2,
    PaymentStatus.SUCCEEDED: 3,
    PaymentStatus.CANCELED: 3,
}
_FROM_STRIPE = {
    "requires_payment_method": PaymentStatus.FAILED,
    "requires_capture": PaymentStatus.AUTHORISED,
    "succeeded": PaymentStatus.SUCCEEDED,
    "canceled": PaymentStatus.CANCELED,
}


def on_payment_confirmed(purpose: str) -> Callable[[ConfirmedHandler], ConfirmedHandler]:
    """Register what happens when a payment of `purpose` is confirmed (in its transaction)."""

    def register(handler: ConfirmedHandler) -> ConfirmedHandler:
        _CONFIRMED_HANDLERS[purpose] = handler
        return handler

    return register


def stripe_customer_for(member: User) -> StripeCustomer:
    existing = StripeCustomer.objects.filter(member=member).first()
    if existing is not None:
        return existing
    customer = stripe_gateway.customer_create(
        email=member.email,
        name=member.display_name,
        member_id=member.pk,
        idempotency_key=f"coop-customer-{member.pk}",
    )
    try:
        with transaction.atomic():
            return StripeCustomer.objects.create(member=member, stripe_id=customer["id"])
    except IntegrityError:
        return StripeCustomer.objects.get(member=member)


def _check_splits(amount: Money, splits: Sequence[tuple[Account, int]]) -> None:
    if not splits:
        raise InvalidSplits("Say which accounts the payment is booked to.")
    for account, weight in splits:
        if isinstance(weight, bool) or not isinstance(weight, int) or weight <= 0:
            raise InvalidSplits("Split weights are positive whole numbers.")
        if account.currency != amount.currency:
            raise InvalidSplits(f"{account} is kept in {account.currency}, not {amount.currency}.")
        if account.kind == AccountKind.CLEARING:
            raise InvalidSplits("The clearing account is the other side of every payment.")


def payment_start(
    *,
    payer: User,
    amount: Money,
    purpose: str,
    cause: Cause,
    splits: Sequence[tuple[Account, int]],
    manual_capture: bool = False,
) -> Payment:
    """Create a PaymentIntent for `payer` to confirm in the browser (its `client_secret`)."""
    if not amount.is_positive:
        raise InvalidSplits(
            "A payment is for a positive amount.", fields={"amount": ["Must be more than zero."]}
        )
    if purpose not in PaymentPurpose.values:
        raise InvalidSplits(f"Unknown payment purpose {purpose!r}.")
    _check_splits(amount, splits)
    customer = stripe_customer_for(payer)
    intent = stripe_gateway.payment_intent_create(
        amount_cents=amount.cents,
        currency=amount.currency,
        customer=customer.stripe_id,
        manual_capture=manual_capture,
        metadata={
            "purpose": purpose,
            "service": cause.service,
            "cause": f"{cause.cause_type}:{cause.cause_id}",
            "payer": str(payer.pk),
        },
        idempotency_key=f"coop-intent-{uuid.uuid4()}",
    )
    with transaction.atomic():
        # `member_delete` reads "no pending payment" under this row's lock: a payer who left
        # while Stripe answered gets nothing to pay (the intent is never confirmed and lapses).
        member_lock_active(payer)
        return Payment.objects.create(
            stripe_id=intent["id"],
            client_secret=intent["client_secret"],
            payer=payer,
            purpose=purpose,
            amount_cents=amount.cents,
            currency=amount.currency,
            manual_capture=manual_capture,
            service=cause.service,
            cause_type=cause.cause_type,
            cause_id=cause.cause_id,
            splits=[{"account": account.pk, "weight": weight} for account, weight in splits],
        )


# --- Deposits: authorise, then capture all or part, or release -------------------------------


def deposit_hold(
    *,
    member: User,
    amount: Money,
    cause: Cause,
    splits: Sequence[tuple[Account, int]] | None = None,
) -> Payment:
    """Authorise a deposit on the member's card; captured money goes to `splits` (default:
    deposits held)."""
    splits = splits or [(coop_account(AccountKind.DEPOSITS_HELD, currency=amount.currency), 1)]
    return payment_start(
        payer=member,
        amount=amount,
        purpose=PaymentPurpose.DEPOSIT,
        cause=cause,
        splits=splits,
        manual_capture=True,
    )


def _sync_from_intent(payment: Payment, intent: Any) -> Payment:
    status = _FROM_STRIPE.get(intent["status"])
    if status is not None and status != PaymentStatus.SUCCEEDED:
        # Success is only ever applied from the confirmed event (it books money).
        with transaction.atomic():
            (payment,) = lock_for_update(payment)
            if _RANK[status] > _RANK[PaymentStatus(payment.status)]:
                payment.status = status
                payment.save(update_fields=["status", "updated_at"])
    return payment


def deposit_capture(*, payment: Payment, amount: Money) -> Payment:
    """Capture `amount` (all or part) of an authorised deposit; the rest is released."""
    if not payment.manual_capture:
        raise InvalidPaymentState("Only held deposits are captured by hand.")
    if amount.currency != payment.currency or not 0 < amount.cents <= payment.amount_cents:
        raise InvalidPaymentState(
            f"Capture between 0.01 and {Money(payment.amount_cents, payment.currency)}.",
            fields={"amount": ["Not within the authorised amount."]},
        )
    intent = stripe_gateway.payment_intent_retrieve(payment.stripe_id)
    payment = _sync_from_intent(payment, intent)
    if intent["status"] != "requires_capture":
        raise InvalidPaymentState("This deposit is not authorised (or already settled).")
    with transaction.atomic():
        (payment,) = lock_for_update(payment)
        if (
            payment.capture_requested_cents is not None
            and payment.capture_requested_cents != amount.cents
        ):
            raise InvalidPaymentState("A different capture of this deposit is already under way.")
        payment.capture_requested_cents = amount.cents
        payment.save(update_fields=["capture_requested_cents", "updated_at"])
    stripe_gateway.payment_intent_capture(
        intent_id=payment.stripe_id,
        amount_cents=amount.cents,
        idempotency_key=f"coop-capture-{payment.pk}",
    )
    payment.refresh_from_db()
    return payment


def deposit_release(*, payment: Payment) -> Payment:
    """Cancel an authorised deposit: the hold on the member's card goes away, nothing is booked."""
    if not payment.manual_capture:
        raise InvalidPaymentState("Only held deposits are released.")
    if payment.status in {PaymentStatus.SUCCEEDED, PaymentStatus.CANCELED}:
        raise InvalidPaymentState("This deposit is already settled.")
    intent = stripe_gateway.payment_intent_cancel(
        intent_id=payment.stripe_id, idempotency_key=f"coop-cancel-{payment.pk}"
    )
    return _sync_from_intent(payment, intent)


# --- Confirmation from Stripe events ---------------------------------------------------------


def _book_payment(payment: Payment, received_cents: int, stripe_event_id: str) -> None:
    """Caller holds the lock on `payment`."""
    currency = payment.currency
    accounts = Account.objects.in_bulk([split["account"] for split in payment.splits])
    weights = [split["weight"] for split in payment.splits]
    received = Money(received_cents, currency)
    parts = allocate(received, weights)
    entries: list[tuple[Account, Money]] = [
        (coop_account(AccountKind.CLEARING, currency=currency), received)
    ]
    entries += [
        (accounts[split["account"]], -part)
        for split, part in zip(payment.splits, parts, strict=True)
        if not part.is_zero
    ]
    tx = ledger_post(
        entries=entries,
        cause=Cause(
            service=payment.service,
            cause_type=payment.cause_type,
            cause_id=payment.cause_id,
            member=payment.payer,
            stripe_event_id=stripe_event_id,
        ),
        description=f"{payment.get_purpose_display()} paid by {payment.payer.display_name}",
        idempotency_key=f"payment-{payment.pk}",
    )
    payment.ledger_transaction = tx
    payment.captured_cents = received_cents


def payment_apply_intent(*, intent: dict[str, Any], stripe_event_id: str, created: int) -> bool:
    """Apply what a confirmed event says about a PaymentIntent. False if it is not ours."""
    payment = Payment.objects.filter(stripe_id=intent.get("id")).first()
    if payment is None:
        return False
    status = _FROM_STRIPE.get(str(intent.get("status")))
    with transaction.atomic():
        (payment,) = lock_for_update(payment)
        if status is None or _RANK[status] <= _RANK[PaymentStatus(payment.status)]:
            return True  # nothing new (a duplicate, or older news than what we have)
        if status == PaymentStatus.SUCCEEDED:
            received = intent.get("amount_received") or (
                payment.capture_requested_cents if payment.manual_capture else None
            )
            received = received or payment.amount_cents
            _book_payment(payment, min(int(received), payment.amount_cents), stripe_event_id)
        payment.status = status
        payment.last_event_created = max(payment.last_event_created, created)
        payment.save()
        if status == PaymentStatus.SUCCEEDED and payment.purpose in _CONFIRMED_HANDLERS:
            _CONFIRMED_HANDLERS[payment.purpose](payment)
    return True


# --- Refunds ---------------------------------------------------------------------------------


def _book_refund(refund: Refund, stripe_event_id: str) -> None:
    """Reverse the payment's entries in proportion to the refund. Caller holds both locks."""
    payment = refund.payment
    assert payment.ledger_transaction_id is not None
    credits = list(
        Entry.objects.filter(transaction_id=payment.ledger_transaction_id, amount_cents__lt=0)
        .select_related("account")
        .order_by("id")
    )
    amount = Money(refund.amount_cents, payment.currency)
    parts = allocate(amount, [-entry.amount_cents for entry in credits])
    entries: list[tuple[Account, Money]] = [
        (coop_account(AccountKind.CLEARING, currency=payment.currency), -amount)
    ]
    entries += [
        (entry.account, part) for entry, part in zip(credits, parts, strict=True) if part.cents
    ]
    refund.ledger_transaction = ledger_post(
        entries=entries,
        cause=Cause(
            service=payment.service,
            cause_type="money.refund",
            cause_id=refund.stripe_id,
            member=payment.payer,
            stripe_event_id=stripe_event_id,
        ),
        description=(
            f"Refund of {payment.get_purpose_display().lower()} to {payment.payer.display_name}"
        ),
        idempotency_key=f"refund-{refund.stripe_id}",
    )
    refund.save(update_fields=["ledger_transaction", "status"])
    payment.refunded_cents += refund.amount_cents
    payment.save(update_fields=["refunded_cents", "updated_at"])


# Capturing part of a held deposit makes Stripe release the rest as a refund of the charge; that
# money was never booked, so such a refund is recorded with this status and never booked.
RELEASED_REMAINDER = "released_remainder"


def _is_released_remainder(payment: Payment, refund: Refund) -> bool:
    """A refund we did not ask for, of exactly the part of a deposit we did not capture."""
    if not payment.manual_capture or payment.capture_requested_cents is None:
        return False
    remainder = payment.amount_cents - payment.capture_requested_cents
    already = Refund.objects.filter(payment=payment, status=RELEASED_REMAINDER).exists()
    return remainder > 0 and refund.amount_cents == remainder and not already


def refund_apply(
    *, payment: Payment, refund_object: dict[str, Any], stripe_event_id: str = "", reason: str = ""
) -> Refund:
    """Record a Stripe refund of `payment`; book it once Stripe says it succeeded."""
    with transaction.atomic():
        (payment,) = lock_for_update(payment)
        refund, created = Refund.objects.get_or_create(
            stripe_id=refund_object["id"],
            defaults={
                "payment": payment,
                "amount_cents": int(refund_object["amount"]),
                "status": str(refund_object.get("status") or "pending"),
                "reason": reason[:200],
            },
        )
        (refund,) = lock_for_update(refund)
        if created and stripe_event_id and _is_released_remainder(payment, refund):
            refund.status = RELEASED_REMAINDER
        if refund.status == RELEASED_REMAINDER:
            refund.save(update_fields=["status"])
            return refund
        refund.payment = payment
        refund.status = str(refund_object.get("status") or refund.status)
        bookable = (
            refund.status == "succeeded"
            and refund.ledger_transaction_id is None
            and payment.ledger_transaction_id is not None
            and payment.refunded_cents + refund.amount_cents <= payment.captured_cents
        )
        if bookable:
            _book_refund(refund, stripe_event_id)
        else:
            refund.save(update_fields=["status"])
    return refund


def payment_refund(*, payment: Payment, amount: Money | None = None, reason: str = "") -> Refund:
    """Refund all (default) or part of a confirmed payment through Stripe."""
    payment = Payment.objects.get(pk=payment.pk)  # what is left to refund, as of now
    if payment.status != PaymentStatus.SUCCEEDED or payment.ledger_transaction_id is None:
        raise InvalidPaymentState("Only a confirmed payment can be refunded.")
    refundable = payment.captured_cents - payment.refunded_cents
    cents = refundable if amount is None else amount.cents
    if amount is not None and amount.currency != payment.currency:
        raise InvalidPaymentState("Refund in the payment's currency.")
    if not 0 < cents <= refundable:
        raise InvalidPaymentState(
            f"At most {Money(refundable, payment.currency)} can still be refunded.",
            fields={"amount": ["More than what is left to refund."]},
        )
    # One key per (payment, amount already refunded): a retry of the same request is the same
    # refund, a later second partial refund is a new one.
    key = f"coop-refund-{payment.pk}-{payment.refunded_cents}-{cents}"
    stripe_refund = stripe_gateway.refund_create(
        intent_id=payment.stripe_id,
        amount_cents=cents,
        metadata={"payment": str(payment.pk), "reason": reason[:200]},
        idempotency_key=key,
    )
    return refund_apply(payment=payment, refund_object=stripe_refund, reason=reason)
