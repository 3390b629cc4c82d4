"""The one place that talks to Stripe. Every request carries an idempotency key.

With `STRIPE_API_BASE` set (localstripe in development and tests, or any Stripe-compatible
server) the official library is pointed there; otherwise it talks to api.stripe.com.
Only parameters localstripe also understands are sent, so the same calls run against both.
"""

from __future__ import annotations

from typing import Any

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from coop.money.exceptions import PaymentProviderError, WebhookRejected

# Stripe's own default tolerance for a signature's timestamp, in seconds.
WEBHOOK_TOLERANCE_SECONDS = 300


def stripe_js_url() -> str:
    """Stripe.js, or localstripe's stand-in when the API is localstripe."""
    if settings.STRIPE_API_BASE:
        return settings.STRIPE_API_BASE.rstrip("/") + "/js.stripe.com/v3/"
    return str(settings.STRIPE_JS_URL)


def stripe_client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise ImproperlyConfigured(
            "STRIPE_SECRET_KEY is not set: set it, or run localstripe and set STRIPE_API_BASE "
            "(`make run` does this for you)."
        )
    base: dict[str, Any] = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else {}
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base,  # type: ignore[arg-type]
        max_network_retries=2,
    )


def _call(
    method: Any, *args: Any, idempotency_key: str, params: dict[str, Any] | None = None
) -> Any:
    try:
        result = method(*args, params=params or {}, options={"idempotency_key": idempotency_key})
        # Plain dicts from here on: the same shape as the JSON a webhook event carries.
        return result.to_dict()
    except stripe.StripeError as error:
        message = getattr(error, "user_message", None) or "The payment provider refused it."
        raise PaymentProviderError(str(message)) from error


def customer_create(*, email: str, name: str, member_id: int, idempotency_key: str) -> Any:
    return _call(
        stripe_client().v1.customers.create,
        idempotency_key=idempotency_key,
        params={"email": email, "name": name, "metadata": {"member_id": str(member_id)}},
    )


def payment_intent_create(
    *,
    amount_cents: int,
    currency: str,
    customer: str,
    manual_capture: bool,
    metadata: dict[str, str],
    idempotency_key: str,
) -> Any:
    params: dict[str, Any] = {
        "amount": amount_cents,
        "currency": currency.lower(),
        "customer": customer,
        "metadata": metadata,
        "capture_method": "manual" if manual_capture else "automatic",
    }
    if settings.STRIPE_API_BASE:
        # localstripe knows no automatic payment methods; cards are what its JS stands in for.
        params["payment_method_types"] = ["card"]
    return _call(
        stripe_client().v1.payment_intents.create, idempotency_key=idempotency_key, params=params
    )


def payment_intent_retrieve(intent_id: str) -> Any:
    try:
        return stripe_client().v1.payment_intents.retrieve(intent_id).to_dict()
    except stripe.StripeError as error:
        raise PaymentProviderError() from error


def payment_intent_capture(*, intent_id: str, amount_cents: int, idempotency_key: str) -> Any:
    return _call(
        stripe_client().v1.payment_intents.capture,
        intent_id,
        idempotency_key=idempotency_key,
        params={"amount_to_capture": amount_cents},
    )


def payment_intent_cancel(*, intent_id: str, idempotency_key: str) -> Any:
    return _call(
        stripe_client().v1.payment_intents.cancel, intent_id, idempotency_key=idempotency_key
    )


def refund_create(
    *, intent_id: str, amount_cents: int, metadata: dict[str, str], idempotency_key: str
) -> Any:
    return _call(
        stripe_client().v1.refunds.create,
        idempotency_key=idempotency_key,
        params={"payment_intent": intent_id, "amount": amount_cents, "metadata": metadata},
    )


def webhook_event(*, payload: bytes, signature: str) -> stripe.Event:
    """The verified event, or `WebhookRejected` (bad signature, stale timestamp, bad JSON)."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise ImproperlyConfigured("STRIPE_WEBHOOK_SECRET is not set.")
    try:
        return stripe.Webhook.construct_event(
            payload.decode("utf-8"),
            signature,
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=WEBHOOK_TOLERANCE_SECONDS,
        )
    except stripe.SignatureVerificationError as error:
        raise WebhookRejected(f"Signature check failed: {error.user_message or error}") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise WebhookRejected("The payload is not a JSON event.") from error
