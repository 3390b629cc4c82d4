"""The seat price through coop.money: held at booking, captured after the trip, released on
cancellation. Stripe calls run outside our transactions."""

from __future__ import annotations

from coop.money.amounts import Money
from rides.models import (
    Booking,
)

# --- Payment (coop.money): held at booking, captured after the trip ---------------------------


def _payment_hold(booking: Booking) -> None:
    from coop.money.ledger import Cause, member_account  # noqa: PLC0415 (money loads late)
    from coop.money.models import AccountKind, PaymentPurpose  # noqa: PLC0415
    from coop.money.payments import payment_start  # noqa: PLC0415

    driver = booking.offer.driver
    payment = payment_start(
        payer=booking.passenger,
        amount=Money(booking.price_cents, booking.currency),
        purpose=PaymentPurpose.RIDE,
        cause=Cause(service="rides", cause_type="booking", cause_id=str(booking.pk)),
        splits=[(member_account(driver, AccountKind.MEMBER_PAYABLE, currency=booking.currency), 1)],
        manual_capture=True,
    )
    Booking.objects.filter(pk=booking.pk).update(payment=payment)
    booking.payment = payment


def _payment_capture(booking: Booking) -> None:
    from coop.money.payments import deposit_capture  # noqa: PLC0415

    if booking.payment is not None:
        deposit_capture(
            payment=booking.payment, amount=Money(booking.price_cents, booking.currency)
        )


def _payment_capture_part(booking: Booking, cents: int) -> bool:
    """Capture `cents` of the held seat price (the rest is released); False when there is no
    authorised hold to capture from (the passenger never confirmed their card)."""
    from coop.money.exceptions import InvalidPaymentState  # noqa: PLC0415
    from coop.money.payments import deposit_capture  # noqa: PLC0415

    if booking.payment is None:
        return False
    try:
        deposit_capture(payment=booking.payment, amount=Money(cents, booking.currency))
    except InvalidPaymentState:
        return False
    return True


def booking_payment_refresh(*, booking: Booking) -> Booking:
    """Ask Stripe whether a hold we still see as pending is authorised by now: its webhook may
    lag behind the passenger's card form (and localstripe sends none for holds). Only ever
    moves the payment forward to authorised; the money is booked when it is captured."""
    from coop.money.models import PaymentStatus  # noqa: PLC0415
    from coop.money.payments import payment_apply_intent  # noqa: PLC0415
    from coop.money.stripe_gateway import payment_intent_retrieve  # noqa: PLC0415

    payment = booking.payment
    if payment is None or payment.status != PaymentStatus.PENDING:
        return booking
    intent = payment_intent_retrieve(payment.stripe_id)
    if intent.get("status") == "requires_capture":
        # created=0: a poll is not an event, so it leaves the ordering of real events alone.
        payment_apply_intent(intent=intent, stripe_event_id=f"poll:{payment.stripe_id}", created=0)
        payment.refresh_from_db()
    return booking


def _payment_release(booking: Booking) -> None:
    from coop.money.models import PaymentStatus  # noqa: PLC0415
    from coop.money.payments import deposit_release  # noqa: PLC0415

    payment = booking.payment
    if payment is not None and payment.status not in (
        PaymentStatus.SUCCEEDED,
        PaymentStatus.CANCELED,
    ):
        deposit_release(payment=payment)
