"""Development with localstripe: confirm a payment with a test card on the server side.

Stripe.js confirms a card payment in the browser; localstripe's stand-in script cannot (it only
simulates 3-D Secure). So with localstripe the payment page sends the test card number here and
we do what Stripe.js would: create the card PaymentMethod, attach it, confirm. localstripe then
sends the signed `payment_intent.succeeded` webhook like Stripe does. Tests use the same path.
"""

from __future__ import annotations

from typing import Any

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from coop.money.exceptions import PaymentProviderError
from coop.money.models import Payment
from coop.money.stripe_gateway import stripe_client

# localstripe declines these like Stripe's test cards do; 4242... succeeds.
TEST_CARD_OK = "4242424242424242"


def localstripe_confirm_with_test_card(*, payment: Payment, card_number: str = TEST_CARD_OK) -> Any:
    if not settings.STRIPE_API_BASE:
        raise ImproperlyConfigured("Test cards are only for localstripe (STRIPE_API_BASE).")
    client = stripe_client()
    try:
        return _confirm(client, payment, card_number)
    except stripe.CardError as error:
        raise PaymentProviderError(error.user_message or "The card was declined.") from error
    except stripe.StripeError as error:
        raise PaymentProviderError() from error


def _confirm(client: stripe.StripeClient, payment: Payment, card_number: str) -> Any:
    method = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": card_number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        },
        options={"idempotency_key": f"coop-testcard-{payment.pk}-{card_number}"},
    )
    client.v1.payment_intents.update(
        payment.stripe_id,
        params={"payment_method": method["id"]},
        options={"idempotency_key": f"coop-testcard-attach-{payment.pk}-{method['id']}"},
    )
    return client.v1.payment_intents.confirm(
        payment.stripe_id,
        options={"idempotency_key": f"coop-testcard-confirm-{payment.pk}-{method['id']}"},
    )
