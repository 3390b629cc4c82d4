"""Errors of the money app, each with a stable code."""

from __future__ import annotations

from coop.exceptions import Conflict, DomainError, InvalidInput


class PaymentProviderError(DomainError):
    """Stripe refused the request or could not be reached; nothing was booked."""

    code = "payment_provider_error"
    status = 409
    default_message = "The payment provider could not complete the request. Please try again."


class InvalidPaymentState(Conflict):
    code = "invalid_payment_state"
    default_message = "The payment is not in a state that allows this."


class InvalidSplits(InvalidInput):
    code = "invalid_splits"
    default_message = "A payment's splits must name accounts with positive weights."


class ShareAlreadyPaid(Conflict):
    code = "share_already_paid"
    default_message = "You already hold a member share."


class WebhookRejected(InvalidInput):
    code = "invalid_webhook"
    default_message = "The webhook could not be verified."
