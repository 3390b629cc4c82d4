"""Fixtures of the rides tests: Barcelona places, a fake Stripe, a ride factory."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from coop.geo.points import Point
from coop.members.models import User
from coop.money import stripe_gateway
from coop.money.payments import payment_apply_intent
from rides import services
from rides.models import Booking, Offer

# Along the Diagonal, west to east, roughly in a line.
ZONA_UNIVERSITARIA = Point(41.3851, 2.1130)
LES_CORTS = Point(41.3887, 2.1290)
FRANCESC_MACIA = Point(41.3927, 2.1431)
PASSEIG_DE_GRACIA = Point(41.3953, 2.1609)
GLORIES = Point(41.4036, 2.1874)
POBLENOU = Point(41.4064, 2.1968)


class FakeStripe:
    """Stands in for coop.money.stripe_gateway: records what the rides service asks Stripe."""

    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.intents: dict[str, dict[str, Any]] = {}
        self.captured: list[tuple[str, int]] = []
        self.cancelled: list[str] = []

    def customer_create(self, **kwargs: Any) -> dict[str, Any]:
        return {"id": f"cus_{next(self.ids)}"}

    def payment_intent_create(self, *, amount_cents: int, manual_capture: bool, **kw: Any) -> Any:
        intent_id = f"pi_{next(self.ids)}"
        self.intents[intent_id] = {
            "id": intent_id,
            "client_secret": f"{intent_id}_secret",
            "amount": amount_cents,
            "manual": manual_capture,
            # A new intent waits for the passenger's card (see `stripe_authorises`).
            "status": "requires_payment_method",
        }
        return self.intents[intent_id]

    def payment_intent_retrieve(self, intent_id: str) -> Any:
        return self.intents[intent_id]

    def payment_intent_capture(self, *, intent_id: str, amount_cents: int, **kw: Any) -> Any:
        self.captured.append((intent_id, amount_cents))
        return self.intents[intent_id]

    def payment_intent_cancel(self, *, intent_id: str, **kw: Any) -> Any:
        self.cancelled.append(intent_id)
        self.intents[intent_id]["status"] = "canceled"
        return self.intents[intent_id]


@pytest.fixture(autouse=True)
def fake_stripe(monkeypatch: pytest.MonkeyPatch) -> FakeStripe:
    fake = FakeStripe()
    for name in (
        "customer_create",
        "payment_intent_create",
        "payment_intent_retrieve",
        "payment_intent_capture",
        "payment_intent_cancel",
    ):
        monkeypatch.setattr(stripe_gateway, name, getattr(fake, name))
    return fake


def stripe_authorises(fake: FakeStripe, booking_id: int, *, webhook: bool = True) -> None:
    """The passenger's card now holds the seat price at Stripe, and (unless the webhook is
    late) Stripe has told us so."""
    booking = Booking.objects.select_related("payment").get(pk=booking_id)
    assert booking.payment is not None
    intent = fake.intents[booking.payment.stripe_id]
    intent["status"] = "requires_capture"
    if webhook:
        payment_apply_intent(
            intent=intent,
            stripe_event_id=f"evt_authorised_{booking.pk}",
            created=int(timezone.now().timestamp()),
        )


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=1)
    return datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone()
    )


def make_offer(driver: User, **overrides: Any) -> Offer:
    options: dict[str, Any] = {
        "origin": services.Place(ZONA_UNIVERSITARIA, "Zona Universitària"),
        "destination": services.Place(POBLENOU, "Poblenou"),
        "departs_at": tomorrow_at(8),
        "seats": 3,
    }
    options.update(overrides)
    return services.offer_create(driver=driver, **options)


@pytest.fixture
def offer(alice: User) -> Offer:
    """Alice drives along the Diagonal tomorrow at 8, instant booking."""
    return make_offer(alice, instant_booking=True)


@pytest.fixture
def applicant_client(applicant: User) -> Client:
    client = Client()
    client.force_login(applicant)
    return client
