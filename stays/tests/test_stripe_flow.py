"""The whole stay against localstripe: book, pay with a test card, the signed webhook confirms,
the host cancels and Stripe refunds; the ledger stays balanced."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from coop.community.models import CommunityProject, ProjectStatus
from coop.members.models import User
from coop.money.amounts import Money
from coop.money.ledger import account_balance, coop_account, ledger_problems
from coop.money.localdev import localstripe_confirm_with_test_card
from coop.money.models import AccountKind
from coop.money.tests.conftest import Deliveries
from stays import services
from stays.models import BookingStatus, StayRecord, Zone
from stays.tests.conftest import book, make_listing

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_stay_is_confirmed_by_the_webhook_and_refunded_when_the_host_cancels(
    deliveries: Deliveries, alice: User, bob: User, zones: dict[str, Zone]
) -> None:
    project = CommunityProject.objects.create(
        slug="horts", name="Gardens", status=ProjectStatus.APPROVED
    )
    listing = make_listing(alice)
    booking = book(listing, bob, project, 10, 3)
    assert booking.payment is not None
    assert booking.payment.client_secret

    localstripe_confirm_with_test_card(payment=booking.payment)
    deliveries.wait("payment_intent.succeeded")

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert StayRecord.objects.filter(booking=booking).exists()
    community = coop_account(AccountKind.COMMUNITY_PROJECT, key="horts")
    assert account_balance(community) == Money(-booking.community_share_cents, "EUR")

    services.booking_cancel(user=alice, booking=booking)

    booking.refresh_from_db()
    assert booking.refund_cents == booking.total_cents
    assert account_balance(community) == Money(0, "EUR")
    held = coop_account(AccountKind.DEPOSITS_HELD, key=services.HELD_KEY)
    assert account_balance(held) == Money(0, "EUR")
    assert ledger_problems() == []
    call_command("ledger_check")
