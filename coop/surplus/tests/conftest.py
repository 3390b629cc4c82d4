"""A full fiscal year across the services, lived last year, for the surplus tests.

Fees are booked the way payments book them (clearing to fee revenue, naming the payer); the
timebank exchange and the rides offer go through their services; the stay and the loan are
recorded as rows, since their full flows need Stripe and many days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from coop.geo.points import Point
from coop.members.models import User
from coop.money.amounts import Money
from coop.money.ledger import Cause, coop_account, ledger_post
from coop.money.models import AccountKind


@pytest.fixture(autouse=True)
def _no_mfa_for_board(settings: Any) -> None:
    # Board sessions in these tests have not passed a second factor; governance tests that.
    settings.BOARD_MFA_REQUIRED = False


def fee_paid(member: User, cents: int, *, service: str) -> None:
    """A co-op fee paid by `member`, booked like a captured payment."""
    amount = Money(cents, "EUR")
    ledger_post(
        entries=[
            (coop_account(AccountKind.CLEARING), amount),
            (coop_account(AccountKind.FEE_REVENUE), -amount),
        ],
        cause=Cause(service=service, member=member),
        description=f"Fee paid by {member.display_name}",
    )


def processing_cost(cents: int) -> None:
    amount = Money(cents, "EUR")
    ledger_post(
        entries=[
            (coop_account(AccountKind.PAYMENT_FEES), amount),
            (coop_account(AccountKind.CLEARING), -amount),
        ],
        cause=Cause(service="payments"),
        description="Stripe's fees",
    )


def _minutes_given(provider: User, receiver: User, minutes: int) -> None:
    from timebank import services  # noqa: PLC0415

    post = services.post_create(
        author=provider,
        kind="offer",
        title="Bike repairs",
        description="Punctures, brakes, gears.",
        category="repairs",
        tags=["bike"],
        location=Point(41.3874, 2.1686),
    )
    exchange = services.exchange_request(requester=receiver, post=post, minutes=minutes)
    exchange = services.exchange_accept(user=provider, exchange=exchange)
    exchange = services.exchange_complete(user=provider, exchange=exchange)
    services.exchange_confirm(user=receiver, exchange=exchange)


def _seats_driven(driver: User, passenger: User, seats: int) -> None:
    from rides import services  # noqa: PLC0415
    from rides.models import Booking, BookingStatus  # noqa: PLC0415

    offer = services.offer_create(
        driver=driver,
        origin=services.Place(Point(41.3851, 2.1130), "Zona Universitària"),
        destination=services.Place(Point(41.4064, 2.1968), "Poblenou"),
        departs_at=timezone.now() + dt.timedelta(hours=2),
        seats=3,
    )
    Booking.objects.create(
        offer=offer,
        passenger=passenger,
        seats=seats,
        pickup_lat=41.3851,
        pickup_lng=2.1130,
        dropoff_lat=41.4064,
        dropoff_lng=2.1968,
        shared_km=8.0,
        price_cents=0,
        currency="EUR",
        status=BookingStatus.COMPLETED,
        completed_at=timezone.now() + dt.timedelta(hours=3),
    )


def _nights_hosted(host: User, guest: User, nights: int) -> None:
    from stays.models import Booking, BookingStatus, Home, Listing  # noqa: PLC0415

    project_model = Booking._meta.get_field("community_project").related_model
    project = project_model.objects.create(slug="gardens", name="Gardens", status="approved")  # type: ignore[union-attr]
    home = Home.objects.create(host=host, address="Carrer de Mallorca 1", lat=41.39, lng=2.16)
    listing = Listing.objects.create(
        home=home,
        host=host,
        home_type="entire_home",
        title="Flat",
        capacity=2,
        beds=1,
        nightly_price_cents=8000,
        currency="EUR",
        ical_token="surplus-test-token",
    )
    check_in = timezone.localdate()
    Booking.objects.create(
        listing=listing,
        guest=guest,
        check_in=check_in,
        check_out=check_in + dt.timedelta(days=nights),
        guests=1,
        status=BookingStatus.CONFIRMED,
        instant=False,
        nights_cents=8000 * nights,
        cleaning_cents=0,
        coop_fee_cents=0,
        community_share_cents=0,
        total_cents=8000 * nights,
        currency="EUR",
        community_project=project,
    )


def _item_lent(owner: User, borrower: User) -> None:
    from lending import services  # noqa: PLC0415
    from lending.models import Reservation, ReservationStatus  # noqa: PLC0415

    item = services.item_create(owner=owner, title="Ladder", pickup=Point(41.39, 2.16))
    now = timezone.now()
    Reservation.objects.create(
        item=item,
        borrower=borrower,
        starts_at=now,
        ends_at=now + dt.timedelta(hours=4),
        blocked_until=now + dt.timedelta(hours=4),
        status=ReservationStatus.RETURNED,
        picked_up_at=now,
        returned_at=now + dt.timedelta(hours=3),
    )


@dataclass
class Year:
    year: int


@pytest.fixture
def last_year(alice: User, bob: User, charlie: User, board: User) -> Year:
    """Last year, by hand:

    revenue 10,001 (bob 7,001 of stay fees, charlie 3,000 of ride fees), costs 1,000 ->
    surplus 9,001; reserves 30% = 2,700.3 -> 2,701 (up); community 10% = 900.1 -> 900 (down);
    dividend pool 5,400.
    points (default weights): bob 7,001 x 1; charlie 3,000 x 1; alice 90 minutes x 5 + 2 nights
    x 300 + 2 seats x 100 + 1 loan x 100 = 1,350; everyone 11,351.
    dividends: bob 5400 x 7001/11351 = 3330.58 -> 3331, charlie 1427.18 -> 1427,
    alice 642.23 -> 642 (floors 3330+1427+642 = 5399; the cent left goes to bob's .58).
    """
    year = timezone.localdate().year - 1
    with time_machine.travel(dt.datetime(year, 6, 15, 10, tzinfo=dt.UTC), tick=False):
        fee_paid(bob, 7001, service="stays")
        fee_paid(charlie, 3000, service="rides")
        processing_cost(1000)
        _minutes_given(alice, bob, 90)
        _nights_hosted(alice, bob, 2)
        _seats_driven(alice, charlie, 2)
        _item_lent(alice, charlie)
    return Year(year)
