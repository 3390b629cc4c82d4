"""Payments that exist on our side only, for tests of what Stripe's events do to them."""

from __future__ import annotations

import uuid
from typing import Any

from coop.members.models import User
from coop.money.ledger import coop_account, member_account
from coop.money.models import AccountKind, Payment, PaymentPurpose


def payment_for_test(
    *, payer: User, host: User, amount_cents: int = 10000, **extra: Any
) -> Payment:
    """A pending 'stay-like' payment: 90% to the host, 10% co-op fee."""
    return Payment.objects.create(
        stripe_id=f"pi_test_{uuid.uuid4().hex[:14]}",
        client_secret="secret",
        payer=payer,
        purpose=PaymentPurpose.OTHER,
        amount_cents=amount_cents,
        currency="EUR",
        service="testing",
        splits=[
            {"account": member_account(host, AccountKind.MEMBER_PAYABLE).pk, "weight": 90},
            {"account": coop_account(AccountKind.FEE_REVENUE).pk, "weight": 10},
        ],
        **extra,
    )


def intent(payment: Payment, status: str = "succeeded", **extra: Any) -> dict[str, Any]:
    return {
        "id": payment.stripe_id,
        "object": "payment_intent",
        "amount": payment.amount_cents,
        "amount_received": payment.amount_cents if status == "succeeded" else 0,
        "currency": payment.currency.lower(),
        "status": status,
        **extra,
    }


def refund(payment: Payment, amount_cents: int, refund_id: str | None = None) -> dict[str, Any]:
    return {
        "id": refund_id or f"re_test_{uuid.uuid4().hex[:14]}",
        "object": "refund",
        "amount": amount_cents,
        "payment_intent": payment.stripe_id,
        "status": "succeeded",
    }
