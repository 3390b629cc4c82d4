"""Writes of the city data commons: clients, read log, consents, webhooks and their outbox."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from coop.commons.models import (
    CityClient,
    Consent,
    DatasetRead,
    DeliveryAttempt,
    DeliveryStatus,
    EventKind,
    MonthlyReport,
    Purpose,
    WebhookDelivery,
    WebhookEndpoint,
)
from coop.exceptions import Conflict, InvalidInput
from coop.members.models import User

SIGNATURE_HEADER = "X-Coop-Signature"
TIMESTAMP_HEADER = "X-Coop-Timestamp"
# Backoff: 1, 2, 4 ... minutes after each failure, then give up after MAX_ATTEMPTS (about 4 hours).
BACKOFF_BASE = timedelta(minutes=1)
MAX_ATTEMPTS = 8
SEND_TIMEOUT_SECONDS = 5.0
# A claimed delivery is invisible to other senders for this long, in case the sender dies.
CLAIM_LEASE = timedelta(minutes=5)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def city_client_create(*, name: str) -> tuple[CityClient, str]:
    """Returns the client and its token; only the token's hash is stored."""
    name = name.strip()
    if not name:
        raise InvalidInput(fields={"name": ["Give the client a name."]})
    if CityClient.objects.filter(name=name).exists():
        raise Conflict(f"A city client named {name!r} already exists.")
    token = secrets.token_urlsafe(32)
    client = CityClient.objects.create(
        name=name, token_hash=token_hash(token), token_prefix=token[:8]
    )
    return client, token


def city_client_for_token(token: str) -> CityClient | None:
    return CityClient.objects.filter(token_hash=token_hash(token), is_active=True).first()


def dataset_read_log(
    *, client: CityClient, dataset: str, period: str, format: str, rows: int
) -> DatasetRead:
    return DatasetRead.objects.create(
        client=client, dataset=dataset, period=period, format=format, rows=rows
    )


def consent_set(*, member: User, purpose: Purpose, granted: bool) -> Consent:
    consent, _ = Consent.objects.update_or_create(
        member=member, purpose=purpose, defaults={"granted": granted}
    )
    return consent


# --- Webhooks ---------------------------------------------------------------------------------


def webhook_endpoint_register(
    *, client: CityClient, url: str, events: list[str]
) -> WebhookEndpoint:
    unknown = sorted(set(events) - set(EventKind.values))
    if unknown or not events:
        raise InvalidInput(
            fields={"events": [f"Choose among: {', '.join(EventKind.values)}."]},
        )
    if not url.startswith(("https://", "http://")):
        raise InvalidInput(fields={"url": ["Give an http(s) address."]})
    return WebhookEndpoint.objects.create(
        client=client, url=url, events=sorted(set(events)), secret=secrets.token_hex(32)
    )


def commons_event_publish(*, kind: str, payload: dict[str, Any]) -> list[WebhookDelivery]:
    """Queue the event for every endpoint that wants it; sending starts after commit.

    Safe to call inside a member's request: it only inserts outbox rows, and the task that
    talks to the city's servers is enqueued on commit, so a slow endpoint never slows the member.
    """
    if kind not in EventKind.values:
        raise ValueError(f"Unknown commons event {kind!r}.")
    now = timezone.now()
    endpoints = [e for e in WebhookEndpoint.objects.filter(is_active=True) if kind in e.events]
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=e, event=kind, payload=payload, next_attempt_at=now)
        for e in endpoints
    )
    if deliveries:
        transaction.on_commit(_enqueue_sending)
    return deliveries


def _enqueue_sending() -> None:
    from coop.commons.tasks import commons_webhooks_send  # noqa: PLC0415 (tasks import us)

    commons_webhooks_send.enqueue()


def signature_for(*, secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", hex; the timestamp lets the city refuse replays."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _claim(delivery: WebhookDelivery) -> bool:
    # Guarded update: two senders running at once never both send the same delivery.
    claimed = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.PENDING, next_attempt_at=delivery.next_attempt_at
    ).update(next_attempt_at=timezone.now() + CLAIM_LEASE)
    return claimed == 1


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    body = json.dumps(
        {"id": delivery.pk, "event": delivery.event, "data": delivery.payload},
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked on registration)
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Coop-Event": delivery.event,
            "X-Coop-Delivery": str(delivery.pk),
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature_for(
                secret=delivery.endpoint.secret, timestamp=timestamp, body=body
            ),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=SEND_TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (OSError, ValueError) as error:
        return None, str(error)[:300] or error.__class__.__name__


def webhook_delivery_attempt(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send once, log the attempt, then mark delivered or schedule the next try (or give up)."""
    started = time.monotonic()
    status_code, error = _post(delivery)
    now = timezone.now()
    DeliveryAttempt.objects.create(
        delivery=delivery,
        status_code=status_code,
        error=error,
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    delivery.attempts += 1
    if status_code is not None and 200 <= status_code < 300:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
    else:
        delivery.next_attempt_at = now + BACKOFF_BASE * 2 ** (delivery.attempts - 1)
    delivery.save(update_fields=["attempts", "status", "delivered_at", "next_attempt_at"])
    return delivery


def webhook_deliveries_send(*, limit: int = 100) -> int:
    """Send the due deliveries; returns how many were attempted. Runs in a task, not a request."""
    due = list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()
        )
        .select_related("endpoint")
        .order_by("next_attempt_at", "id")[:limit]
    )
    attempted = 0
    for delivery in due:
        if _claim(delivery):
            webhook_delivery_attempt(delivery=delivery)
            attempted += 1
    return attempted


def monthly_report_announce(*, period: str) -> bool:
    """Publish "report ready" for a finished month, once. Returns whether it was announced now."""
    with transaction.atomic():
        _, created = MonthlyReport.objects.get_or_create(period=period)
        if created:
            commons_event_publish(
                kind=EventKind.MONTHLY_REPORT_READY,
                payload={
                    "period": period,
                    "url": "/api/v1/city/datasets/stays-activity?period=" + period,
                },
            )
    return created
