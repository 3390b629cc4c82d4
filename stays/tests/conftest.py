"""Fixtures for stays: a zone with rules, approved projects, a host's listing, a fake Stripe."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
import stripe

from coop.community.models import CommunityProject, ProjectStatus
from coop.members.models import User
from coop.money import stripe_gateway
from coop.money.exceptions import PaymentProviderError
from coop.money.models import Payment
from coop.money.payments import payment_apply_intent
from stays.barcelona import DISTRICTS, LICENCE_PATTERN
from stays.models import Booking, Listing, Zone
from stays.services import ListingInput, listing_create
from stays.zones import bbox_of

# A point inside the simplified Eixample outline, and one in Gràcia.
EIXAMPLE = (41.392, 2.165)
GRACIA = (41.408, 2.158)
CIUTAT_VELLA = (41.383, 2.180)


class FakeStripe:
    """Stands in for coop.money.stripe_gateway: intents and refunds that always work."""

    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.refunds: list[dict[str, Any]] = []
        # Set by a test to make Stripe refuse refunds (`refuse_refunds`), lose the connection
        # (`cut_connection`) or answer with another status ("pending", "failed").
        self.refund_error: Exception | None = None
        self.refund_status = "succeeded"
        self.refund_keys: list[str] = []

    def customer_create(self, **kwargs: Any) -> dict[str, Any]:
        return {"id": f"cus_{next(self.ids)}"}

    def payment_intent_create(self, **kwargs: Any) -> dict[str, Any]:
        number = next(self.ids)
        return {"id": f"pi_{number}", "client_secret": f"pi_{number}_secret_x"}

    def refund_create(self, **kwargs: Any) -> dict[str, Any]:
        self.refund_keys.append(kwargs["idempotency_key"])
        if self.refund_error is not None:
            raise self.refund_error
        refund = {
            "id": f"re_{next(self.ids)}",
            "amount": kwargs["amount_cents"],
            "status": self.refund_status,
            "payment_intent": kwargs["intent_id"],
        }
        self.refunds.append(refund)
        return refund

    def refuse_refunds(self) -> None:
        """Stripe answers a refund with an error (e.g. the card's account was closed)."""
        error = PaymentProviderError("Refund declined by the card issuer.")
        error.__cause__ = stripe.InvalidRequestError("Refund declined.", "amount")
        self.refund_error = error

    def cut_connection(self) -> None:
        """The request may or may not have reached Stripe."""
        error = PaymentProviderError()
        error.__cause__ = stripe.APIConnectionError("Connection reset")
        self.refund_error = error

    def refunds_work(self) -> None:
        self.refund_error = None
        self.refund_status = "succeeded"

    def confirm(self, payment: Payment) -> None:
        """What the webhook does when Stripe says the intent succeeded."""
        payment_apply_intent(
            intent={
                "id": payment.stripe_id,
                "status": "succeeded",
                "amount_received": payment.amount_cents,
            },
            stripe_event_id=f"evt_{next(self.ids)}",
            created=1,
        )


@pytest.fixture
def fake_stripe(monkeypatch: pytest.MonkeyPatch) -> FakeStripe:
    fake = FakeStripe()
    monkeypatch.setattr(stripe_gateway, "customer_create", fake.customer_create)
    monkeypatch.setattr(stripe_gateway, "payment_intent_create", fake.payment_intent_create)
    monkeypatch.setattr(stripe_gateway, "refund_create", fake.refund_create)
    return fake


@pytest.fixture
def zones(db: None) -> dict[str, Zone]:
    made = {}
    for district in DISTRICTS:
        made[district.slug] = Zone.objects.create(
            slug=district.slug,
            name=district.name,
            polygon=district.polygon,
            licence_pattern=LICENCE_PATTERN,
            **bbox_of(district.polygon),
        )
    return made


@pytest.fixture
def project(db: None) -> CommunityProject:
    return CommunityProject.objects.create(
        slug="horts", name="Food gardens", status=ProjectStatus.APPROVED
    )


@pytest.fixture
def unapproved_project(db: None) -> CommunityProject:
    return CommunityProject.objects.create(
        slug="party", name="Street party", status=ProjectStatus.PROPOSED
    )


def listing_data(**overrides: Any) -> ListingInput:
    values: dict[str, Any] = {
        "home_type": "entire_home",
        "title": "Flat in the Eixample",
        "capacity": 4,
        "beds": 2,
        "nightly_price_cents": 8000,
        "cleaning_fee_cents": 3000,
        "min_nights": 1,
        "max_nights": 30,
        "instant_book": True,
        "cancellation_policy": "moderate",
        "licence_number": "HUTB-012345",
    }
    values.update(overrides)
    return ListingInput(**values)


def make_listing(host: User, *, at: tuple[float, float] = EIXAMPLE, **overrides: Any) -> Listing:
    from coop.geo.points import Point  # noqa: PLC0415

    return listing_create(
        host=host, data=listing_data(**overrides), address="Carrer de Mallorca 1", point=Point(*at)
    )


@pytest.fixture
def listing(alice: User, zones: dict[str, Zone]) -> Listing:
    return make_listing(alice)


def soon(days: int) -> dt.date:
    from django.utils import timezone  # noqa: PLC0415

    return timezone.localdate() + dt.timedelta(days=days)


def book(  # noqa: PLR0917 - reads like a sentence in the tests: who books what, when
    listing: Listing,
    guest: User,
    project: CommunityProject,
    start: int,
    nights: int,
    guests: int = 2,
) -> Booking:
    from stays.services import booking_create  # noqa: PLC0415

    return booking_create(
        guest=guest,
        listing=listing,
        check_in=soon(start),
        check_out=soon(start + nights),
        guests=guests,
        community_project=project,
    )


# The money helper's real-Stripe fixtures (localstripe + signed webhooks to a live server).
from coop.money.tests.conftest import (  # noqa: E402
    deliveries,
    localstripe_url,
    stripe_local,
    stripe_webhooks,
)
from governance.tests.conftest import board_mfa_client  # noqa: E402

__all__ = ["board_mfa_client", "deliveries", "localstripe_url", "stripe_local", "stripe_webhooks"]
