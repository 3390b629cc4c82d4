"""What a page needs to take a card payment in the browser (money/_card_form.html).

In production the page loads Stripe.js and Stripe Elements; with localstripe (development) its
stand-in script is loaded from the localstripe server and money/pay.js confirms the test card
through our development-only endpoint.
"""

from __future__ import annotations

from django.conf import settings

from coop.money.stripe_gateway import stripe_js_url


def card_payment_context() -> dict[str, object]:
    return {
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "localstripe": bool(settings.STRIPE_API_BASE),
        "stripe_js_url": stripe_js_url(),
    }
