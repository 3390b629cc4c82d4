"""Stays' community shares flow into the project the guest chose, and out again on a refund."""

from __future__ import annotations

import pytest

from coop.community import selectors
from coop.community.models import CommunityProject
from coop.community.tests.conftest import FakeStripe
from coop.exceptions import InvalidInput
from coop.members.models import User
from coop.money.amounts import Money
from coop.money.ledger import account_balance, coop_account
from coop.money.models import AccountKind, Entry
from stays import services as stays_services
from stays.models import Zone
from stays.tests.conftest import book, make_listing

pytestmark = pytest.mark.django_db


def test_a_paid_stay_funds_the_chosen_project_and_a_cancellation_takes_it_back(
    approved: CommunityProject,
    alice: User,
    bob: User,
    zones: dict[str, Zone],
    fake_stripe: FakeStripe,
) -> None:
    booking = book(make_listing(alice), bob, approved, 10, 3)
    assert booking.community_project == approved
    assert booking.payment is not None
    fake_stripe.confirm(booking.payment)

    share = booking.community_share_cents
    assert share > 0
    money = selectors.project_money(approved)
    assert (money.in_cents, money.out_cents) == (share, 0)

    stays_services.booking_cancel(user=alice, booking=booking)  # the host cancels: full refund
    money = selectors.project_money(approved)
    account = coop_account(AccountKind.COMMUNITY_PROJECT, key=approved.slug)
    # In and out are the ledger's own credits and debits of the project's account.
    entries = list(Entry.objects.filter(account=account).values_list("amount_cents", flat=True))
    assert money.in_cents == -sum(a for a in entries if a < 0) == share
    assert money.out_cents == sum(a for a in entries if a > 0) == share
    assert Money(-money.balance_cents, "EUR") == account_balance(account) == Money(0, "EUR")
    assert len(money.lines) == 2


def test_a_project_not_yet_approved_cannot_be_chosen_for_a_stay(
    proposal: CommunityProject, alice: User, bob: User, zones: dict[str, Zone]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        book(make_listing(alice), bob, proposal, 10, 3)
    assert "community_project" in caught.value.fields


def test_the_stays_booking_form_offers_only_approved_projects(
    proposal: CommunityProject, approved_other: CommunityProject
) -> None:
    from stays.forms import BookingForm  # noqa: PLC0415

    choices = list(BookingForm().fields["community_project"].queryset)  # type: ignore[attr-defined]
    assert choices == [approved_other]


@pytest.fixture
def approved_other(db: None) -> CommunityProject:
    return CommunityProject.objects.create(slug="fonts", name="Fountains", status="approved")
