"""A small co-op in which alice owns one of everything, for the authorisation tests.

Bob is alice's counterpart (borrower, guest, passenger, exchange partner); charlie is an
ordinary member with no part in any of it; the board holds the board-only objects. Every object
is made through the apps' own services, as the apps' tests make them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from coop.community.models import CommunityProject, ProjectStatus
from coop.community.services import project_propose
from coop.geo.points import Point
from coop.members.models import User
from coop.money.amounts import Money
from coop.money.models import Payment, ShareRefundRequest
from coop.notifications.models import Notification
from coop.notifications.services import notification_send
from governance.models import Ballot, BallotKind, Proposal
from governance.services import ballot_create, proposal_create
from lending import services as lending
from lending.models import Item, Reservation
from rides import services as rides
from rides.models import Booking as RideBooking
from rides.models import Offer, SearchAlert

# Stripe stays a fake (autouse, as in the rides tests); the stays fixtures load Barcelona's
# districts (a listing must lie in a licensed zone).
from rides.tests.conftest import FakeStripe, fake_stripe, make_offer
from stays.models import Booking as StayBooking
from stays.models import Listing, Zone
from stays.services import booking_create as stay_booking_create
from stays.tests.conftest import make_listing, soon, zones
from timebank import rota
from timebank import services as timebank
from timebank.models import Chore, Exchange, Post

PASSEIG_DE_GRACIA = Point(41.3953, 2.1609)
POBLENOU = Point(41.4064, 2.1968)


@dataclass(frozen=True)
class World:
    alice: User
    bob: User
    board: User
    item: Item
    reservation: Reservation
    listing: Listing
    stay: StayBooking
    offer: Offer
    ride: RideBooking
    alert: SearchAlert
    post: Post
    exchange: Exchange
    chore: Chore
    proposal: Proposal
    ballot: Ballot
    notification: Notification
    project: CommunityProject
    approved_project: CommunityProject
    payment: Payment
    refund_request: ShareRefundRequest


@pytest.fixture
def world(  # noqa: PLR0917 - pytest passes fixtures positionally
    alice: User,
    bob: User,
    charlie: User,
    board: User,
    zones: dict[str, Zone],
    fake_stripe: FakeStripe,
) -> World:
    now = timezone.now()
    item = lending.item_create(
        owner=alice, title="Cordless drill", pickup=PASSEIG_DE_GRACIA, max_hours=72
    )
    starts = (now + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    reservation = lending.reservation_request(
        borrower=bob, item=item, starts_at=starts, ends_at=starts + timedelta(hours=4)
    )

    approved_project = CommunityProject.objects.create(
        slug="horts", name="Food gardens", status=ProjectStatus.APPROVED
    )
    listing = make_listing(alice)
    stay = stay_booking_create(
        guest=bob,
        listing=listing,
        check_in=soon(10),
        check_out=soon(12),
        guests=2,
        community_project=approved_project,
    )

    offer = make_offer(alice)
    ride = rides.booking_request(
        passenger=bob, offer=offer, seats=1, pickup=offer.origin, dropoff=offer.destination
    )
    alert = rides.alert_create(member=alice, origin=PASSEIG_DE_GRACIA, destination=POBLENOU)

    post = timebank.post_create(
        author=alice, kind="offer", title="Bike repairs", category="repairs"
    )
    exchange = timebank.exchange_request(requester=bob, post=post, minutes=60)
    chore = rota.chore_create(board=board, title="Water the garden", minutes=30)

    proposal = proposal_create(author=alice, title="Longer loans", text="Why not.", kind="general")
    ballot = ballot_create(
        title="Open on Sundays?",
        kind=BallotKind.YES_NO,
        options=[],
        opens_at=now,
        closes_at=now + timedelta(days=3),
        created_by=board,
    )
    notification = notification_send(recipient=alice, kind="test.hello", title="Hello Alice")
    project = project_propose(
        member=alice,
        name="Street library",
        description="Books on the corner.",
        neighbourhood="Gràcia",
        amount=Money(50000, "EUR"),
        place=None,
    )
    # Bob pays for his stay: a payment alice has no business confirming.
    payment = Payment.objects.filter(payer=bob).earliest("pk")
    refund_request = ShareRefundRequest.objects.create(member=alice)
    return World(
        alice=alice,
        bob=bob,
        board=board,
        item=item,
        reservation=reservation,
        listing=listing,
        stay=stay,
        offer=offer,
        ride=ride,
        alert=alert,
        post=post,
        exchange=exchange,
        chore=chore,
        proposal=proposal,
        ballot=ballot,
        notification=notification,
        project=project,
        approved_project=approved_project,
        payment=payment,
        refund_request=refund_request,
    )


__all__ = ["World", "fake_stripe", "world", "zones"]
