"""Stripe webhook events: verified, stored by id with a status, then handled exactly once.

A redelivered event finds its row and does nothing; an event whose handling failed is stored as
`failed` and handled again when Stripe retries it. Events that arrive out of order are safe
because handlers apply state that only moves forward (see payments._RANK) and book money once
per payment and per refund.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from coop.locking import lock_for_update
from coop.money import stripe_gateway
from coop.money.exceptions import WebhookRejected
from coop.money.models import Payment, StripeEvent, StripeEventStatus
from coop.money.payments import payment_apply_intent, refund_apply

logger = logging.getLogger(__name__)

Handler = Callable[[StripeEvent, dict[str, Any]], bool]


def _on_intent(event: StripeEvent, obj: dict[str, Any]) -> bool:
    return payment_apply_intent(intent=obj, stripe_event_id=event.stripe_id, created=event.created)


def _on_refund(event: StripeEvent, obj: dict[str, Any]) -> bool:
    payment = Payment.objects.filter(stripe_id=obj.get("payment_intent") or "").first()
    if payment is None:
        return False
    refund_apply(payment=payment, refund_object=obj, stripe_event_id=event.stripe_id)
    return True


def _on_charge_refunded(event: StripeEvent, obj: dict[str, Any]) -> bool:
    payment = Payment.objects.filter(stripe_id=obj.get("payment_intent") or "").first()
    refunds = (obj.get("refunds") or {}).get("data") or []
    if payment is None or not refunds:
        return False
    for refund in refunds:
        refund_apply(payment=payment, refund_object=refund, stripe_event_id=event.stripe_id)
    return True


HANDLERS: dict[str, Handler] = {
    "payment_intent.succeeded": _on_intent,
    "payment_intent.payment_failed": _on_intent,
    "payment_intent.canceled": _on_intent,
    "payment_intent.amount_capturable_updated": _on_intent,
    "refund.created": _on_refund,
    "refund.updated": _on_refund,
    "charge.refund.updated": _on_refund,
    "charge.refunded": _on_charge_refunded,
}


def _parse(payload: bytes) -> dict[str, Any]:
    data = json.loads(payload)
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise WebhookRejected("The payload is not an event.")
    if not isinstance(data.get("type"), str) or not isinstance(data.get("created"), int):
        raise WebhookRejected("The event has no type or creation time.")
    obj = (data.get("data") or {}).get("object")
    if not isinstance(obj, dict):
        raise WebhookRejected("The event carries no object.")
    return data


def stripe_event_receive(*, payload: bytes, signature: str) -> StripeEvent:
    """Verify, store, then handle one delivery. Raises WebhookRejected for unverifiable ones."""
    stripe_gateway.webhook_event(payload=payload, signature=signature)
    data = _parse(payload)
    try:
        with transaction.atomic():
            event, created = StripeEvent.objects.get_or_create(
                stripe_id=data["id"],
                defaults={"type": data["type"], "created": data["created"], "payload": data},
            )
    except IntegrityError:
        # The same event delivered twice at once: the other delivery stored (and handles) it.
        return StripeEvent.objects.get(stripe_id=data["id"])
    if not created and event.status in {StripeEventStatus.PROCESSED, StripeEventStatus.IGNORED}:
        return event
    return stripe_event_handle(event=event)


def stripe_event_handle(*, event: StripeEvent) -> StripeEvent:
    try:
        with transaction.atomic():
            (event,) = lock_for_update(event)
            if event.status in {StripeEventStatus.PROCESSED, StripeEventStatus.IGNORED}:
                return event
            handler = HANDLERS.get(event.type)
            handled = handler(event, event.payload["data"]["object"]) if handler else False
            event.status = StripeEventStatus.PROCESSED if handled else StripeEventStatus.IGNORED
            event.error = ""
            event.processed_at = timezone.now()
            event.save(update_fields=["status", "error", "processed_at"])
            return event
    except Exception as error:
        logger.exception("Stripe event %s (%s) failed", event.stripe_id, event.type)
        StripeEvent.objects.filter(pk=event.pk).update(
            status=StripeEventStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000]
        )
        raise
