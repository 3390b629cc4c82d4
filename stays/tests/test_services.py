from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from coop.community.models import CommunityProject
from coop.exceptions import InvalidInput
from coop.geo.points import Point
from coop.members.models import User
from coop.money.ledger import account_balance, coop_account, member_account
from coop.money.models import AccountKind
from governance.services.counting import parameter_set
from stays import services
from stays.exceptions import (
    BookingStateError,
    InvalidDates,
    LicenceRequired,
    NewListingsClosed,
    NightCapReached,
    NotAvailable,
    OneHostOneHome,
    StaysNotAllowed,
    TooManyGuests,
)
from stays.models import (
    BlockedRange,
    Booking,
    BookingStatus,
    ExternalCalendar,
    Listing,
    Review,
    StayRecord,
    Zone,
)
from stays.tests.conftest import CIUTAT_VELLA, GRACIA, FakeStripe, book, make_listing, soon

# --- Listings: one host, one home, city rules ---------------------------------------------


def test_a_member_lists_their_home_in_its_district(alice: User, zones: dict[str, Zone]) -> None:
    listing = make_listing(alice)

    assert listing.home.zone == zones["eixample"]
    assert listing.home.host == alice


def test_a_member_may_list_only_one_entire_home(alice: User, listing: Listing) -> None:
    with pytest.raises(OneHostOneHome):
        make_listing(alice, title="Second flat")


def test_private_rooms_are_allowed_only_in_the_same_home(alice: User, listing: Listing) -> None:
    room = services.listing_create(
        host=alice,
        data=services.ListingInput(
            home_type="private_room",
            title="Room",
            capacity=1,
            beds=1,
            nightly_price_cents=3000,
            licence_number="HUTB-012345",
        ),
    )
    assert room.home == listing.home

    with pytest.raises(OneHostOneHome):
        services.listing_create(
            host=alice,
            address="Another street 5",
            point=Point(*GRACIA),
            data=services.ListingInput(
                home_type="private_room",
                title="Room elsewhere",
                capacity=1,
                beds=1,
                nightly_price_cents=3000,
                licence_number="HUTB-012345",
            ),
        )


def test_a_listing_needs_a_licence_in_the_city_format(alice: User, zones: dict[str, Zone]) -> None:
    with pytest.raises(LicenceRequired):
        make_listing(alice, licence_number="")
    with pytest.raises(LicenceRequired):
        make_listing(alice, licence_number="ABC-1")


def test_no_new_listings_where_the_city_froze_them(alice: User, zones: dict[str, Zone]) -> None:
    with pytest.raises(NewListingsClosed):
        make_listing(alice, at=CIUTAT_VELLA)


def test_bad_listing_input_is_refused_with_fields(alice: User, zones: dict[str, Zone]) -> None:
    with pytest.raises(InvalidInput) as error:
        make_listing(alice, home_type="castle", min_nights=5, max_nights=2)

    assert {"home_type", "min_nights"} <= set(error.value.fields)


def test_an_applicant_cannot_list(applicant: User, zones: dict[str, Zone]) -> None:
    with pytest.raises(StaysNotAllowed):
        make_listing(applicant)


# --- Booking rules ------------------------------------------------------------------------


def test_instant_book_holds_the_nights_and_starts_the_payment(
    listing: Listing, bob: User, project: CommunityProject, fake_stripe: FakeStripe
) -> None:
    booking = book(listing, bob, project, 10, 3)

    assert booking.status == BookingStatus.AWAITING_PAYMENT
    assert booking.payment is not None
    assert booking.payment.amount_cents == booking.total_cents
    assert booking.hold_until is not None
    assert booking.hold_until <= timezone.now() + dt.timedelta(minutes=15)


def test_a_second_guest_asking_for_held_nights_gets_not_available(
    listing: Listing, bob: User, charlie: User, project: CommunityProject, fake_stripe: FakeStripe
) -> None:
    book(listing, bob, project, 10, 3)

    with pytest.raises(NotAvailable):
        book(listing, charlie, project, 11, 3)


def test_nights_free_again_once_the_payment_hold_runs_out(
    listing: Listing, bob: User, charlie: User, project: CommunityProject, fake_stripe: FakeStripe
) -> None:
    book(listing, bob, project, 10, 3)

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        assert book(listing, charlie, project, 10, 3).status == BookingStatus.AWAITING_PAYMENT


def test_the_webhook_confirms_the_stay_and_records_it_for_the_city(
    listing: Listing, bob: User, project: CommunityProject, fake_stripe: FakeStripe
) -> None:
    booking = book(listing, bob, project, 10, 3)
    assert booking.payment is not None

    fake_stripe.confirm(booking.payment)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    record = StayRecord.objects.get(booking=booking)
    assert (record.registration_number, record.nights, record.guests) == ("HUTB-012345", 3, 2)
    held = coop_account(AccountKind.DEPOSITS_HELD, key=services.HELD_KEY)
    assert -account_balance(held).cents == booking.nights_cents + booking.cleaning_cents
    community = coop_account(AccountKind.COMMUNITY_PROJECT, key=project.slug)
    assert -account_balance(community).cents == booking.community_share_cents


def test_a_payment_that_comes_after_someone_else_confirmed_is_refunded(
    *,
    listing: Listing,
    bob: User,
    charlie: User,
    project: CommunityProject,
    fake_stripe: FakeStripe,
    django_capture_on_commit_callbacks: Any,
) -> None:
    first = book(listing, bob, project, 10, 3)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        second = book(listing, charlie, project, 10, 3)
        assert second.payment is not None
        assert first.payment is not None
        fake_stripe.confirm(second.payment)
        with django_capture_on_commit_callbacks(execute=True):
            fake_stripe.confirm(first.payment)

    first.refresh_from_db()
    assert first.status == BookingStatus.EXPIRED
    assert fake_stripe.refunds[0]["amount"] == first.total_cents


def test_too_many_guests_for_the_home_or_the_city(
    alice: User, bob: User, zones: dict[str, Zone], project: CommunityProject
) -> None:
    listing = make_listing(alice, capacity=6, beds=3)

    with pytest.raises(TooManyGuests):
        book(listing, bob, project, 10, 2, guests=7)
    with pytest.raises(TooManyGuests):  # the Eixample allows 4
        book(listing, bob, project, 10, 2, guests=5)


def test_the_yearly_night_cap_counts_every_listing_of_the_home_and_imported_nights(
    listing: Listing, alice: User, bob: User, project: CommunityProject, fake_stripe: FakeStripe
) -> None:
    parameter_set(key="stays.zone.eixample.max_nights", value=5)
    calendar = ExternalCalendar.objects.create(listing=listing, url="https://example.com/a.ics")
    year = soon(40).year
    BlockedRange.objects.create(
        listing=listing,
        calendar=calendar,
        source="external",
        start=dt.date(year, 1, 1) if soon(40) > dt.date(year, 1, 5) else dt.date(year, 12, 20),
        end=dt.date(year, 1, 4) if soon(40) > dt.date(year, 1, 5) else dt.date(year, 12, 23),
    )

    with time_machine.travel(dt.datetime(year, 2, 1, 12, tzinfo=dt.UTC)):
        booking = services.booking_create(
            guest=bob,
            listing=listing,
            check_in=dt.date(year, 3, 1),
            check_out=dt.date(year, 3, 3),
            guests=1,
            community_project=project,
        )
        assert booking.status == BookingStatus.AWAITING_PAYMENT
        with pytest.raises(NightCapReached):
            services.booking_create(
                guest=bob,
                listing=listing,
                check_in=dt.date(year, 4, 1),
                check_out=dt.date(year, 4, 2),
                guests=1,
                community_project=project,
            )


def test_a_host_blocked_night_is_not_available(
    listing: Listing, alice: User, bob: User, project: CommunityProject
) -> None:
    services.block_create(host=alice, listing=listing, start=soon(12), end=soon(13))

    with pytest.raises(NotAvailable):
        book(listing, bob, project, 10, 3)


def test_a_room_and_its_entire_home_take_each_others_nights(
    *,
    listing: Listing,
    alice: User,
    bob: User,
    charlie: User,
    project: CommunityProject,
    fake_stripe: FakeStripe,
) -> None:
    room = services.listing_create(
        host=alice,
        data=services.ListingInput(
            home_type="private_room",
            title="Room",
            capacity=1,
            beds=1,
            nightly_price_cents=3000,
            licence_number="HUTB-012345",
            instant_book=True,
        ),
    )
    book(room, bob, project, 10, 2, guests=1)

    with pytest.raises(NotAvailable):
        book(listing, charlie, project, 11, 2)


def test_a_licence_that_no_longer_meets_the_zone_rule_stops_bookings(
    listing: Listing, bob: User, project: CommunityProject
) -> None:
    Listing.objects.filter(pk=listing.pk).update(licence_number="")
    listing.refresh_from_db()

    with pytest.raises(LicenceRequired):
        book(listing, bob, project, 10, 2)


@pytest.mark.parametrize(("start", "nights"), [(-1, 2), (10, 0), (10, 31)])
def test_bad_dates_are_refused(
    listing: Listing, bob: User, project: CommunityProject, start: int, nights: int
) -> None:
    with pytest.raises(InvalidDates):
        book(listing, bob, project, start, nights)


def test_the_host_cannot_book_their_own_home_nor_pick_an_unapproved_project(
    listing: Listing, alice: User, bob: User, unapproved_project: CommunityProject
) -> None:
    with pytest.raises(StaysNotAllowed):
        book(listing, alice, unapproved_project, 10, 2)
    with pytest.raises(InvalidInput):
        book(listing, bob, unapproved_project, 10, 2)


# --- Requests -----------------------------------------------------------------------------


@pytest.fixture
def on_request(listing: Listing) -> Listing:
    listing.instant_book = False
    listing.save()
    return listing


def test_a_request_waits_for_the_host_then_the_guest_pays(
    on_request: Listing, alice: User, bob: User, project: CommunityProject, fake_stripe: FakeStripe
) -> None:
    booking = book(on_request, bob, project, 10, 2)
    assert booking.status == BookingStatus.REQUESTED
    assert booking.payment is None

    booking = services.booking_accept(host=alice, booking=booking)

    assert booking.status == BookingStatus.AWAITING_PAYMENT
    assert booking.payment is not None


def test_only_the_host_answers_a_request(
    on_request: Listing, bob: User, charlie: User, project: CommunityProject
) -> None:
    booking = book(on_request, bob, project, 10, 2)

    with pytest.raises(StaysNotAllowed):
        services.booking_accept(host=charlie, booking=booking)
    with pytest.raises(StaysNotAllowed):
        services.booking_decline(host=bob, booking=booking)


def test_a_request_expires_after_48_hours_and_frees_its_nights(
    on_request: Listing, alice: User, bob: User, charlie: User, project: CommunityProject
) -> None:
    booking = book(on_request, bob, project, 10, 2)
    # The same nights, fixed now: travelling in time must not move the dates asked for.
    nights = {"check_in": booking.check_in, "check_out": booking.check_out}

    def charlie_asks() -> Booking:
        return services.booking_create(
            guest=charlie, listing=on_request, guests=2, community_project=project, **nights
        )

    with time_machine.travel(timezone.now() + dt.timedelta(hours=47)):
        assert services.bookings_expire() == 0
        with pytest.raises(NotAvailable):
            charlie_asks()
    with time_machine.travel(timezone.now() + dt.timedelta(hours=49)):
        assert services.bookings_expire() == 1
        booking.refresh_from_db()
        assert booking.status == BookingStatus.EXPIRED
        with pytest.raises(BookingStateError):
            services.booking_accept(host=alice, booking=booking)
        assert charlie_asks().status == BookingStatus.REQUESTED


def test_a_declined_request_frees_the_nights(
    on_request: Listing, alice: User, bob: User, charlie: User, project: CommunityProject
) -> None:
    booking = book(on_request, bob, project, 10, 2)

    services.booking_decline(host=alice, booking=booking)

    assert book(on_request, charlie, project, 10, 2).status == BookingStatus.REQUESTED


# --- Cancellation, payouts, reviews -------------------------------------------------------


def _confirmed(
    listing: Listing, guest: User, project: CommunityProject, fake: FakeStripe, start: int
) -> Booking:
    booking = book(listing, guest, project, start, 2)
    assert booking.payment is not None
    fake.confirm(booking.payment)
    booking.refresh_from_db()
    return booking


@pytest.mark.parametrize(
    ("policy", "start", "by_host", "share"),
    [
        ("moderate", 10, False, 1.0),
        ("moderate", 3, False, 0.5),
        ("strict", 10, False, 0.5),
        ("strict", 3, False, 0.0),
        ("flexible", 3, False, 1.0),
        ("strict", 3, True, 1.0),
    ],
)
def test_cancellation_refunds_follow_the_policy_and_the_host_keeps_the_rest(
    *,
    listing: Listing,
    alice: User,
    bob: User,
    project: CommunityProject,
    fake_stripe: FakeStripe,
    policy: str,
    start: int,
    by_host: bool,
    share: float,
) -> None:
    listing.cancellation_policy = policy
    listing.save()
    booking = _confirmed(listing, bob, project, fake_stripe, start)

    booking = services.booking_cancel(user=alice if by_host else bob, booking=booking)

    assert booking.status == BookingStatus.CANCELLED
    assert booking.refund_cents == round(booking.total_cents * share)
    refunded = sum(r["amount"] for r in fake_stripe.refunds)
    assert refunded == booking.refund_cents
    # The hold for hosts ends at zero: what was not refunded went to the host.
    held = coop_account(AccountKind.DEPOSITS_HELD, key=services.HELD_KEY)
    assert account_balance(held).cents == 0
    payable = member_account(alice, AccountKind.MEMBER_PAYABLE)
    assert -account_balance(payable).cents == booking.host_paid_cents
    assert StayRecord.objects.get(booking=booking).cancelled


def test_only_guest_or_host_cancel_and_not_after_check_in(
    listing: Listing, bob: User, charlie: User, project: CommunityProject, fake_stripe: FakeStripe
) -> None:
    booking = _confirmed(listing, bob, project, fake_stripe, 2)

    with pytest.raises(StaysNotAllowed):
        services.booking_cancel(user=charlie, booking=booking)
    with (
        time_machine.travel(timezone.now() + dt.timedelta(days=3)),
        pytest.raises(BookingStateError),
    ):
        services.booking_cancel(user=bob, booking=booking)


def test_the_host_is_paid_after_check_in_once(
    listing: Listing, alice: User, bob: User, project: CommunityProject, fake_stripe: FakeStripe
) -> None:
    booking = _confirmed(listing, bob, project, fake_stripe, 2)

    assert services.bookings_pay_hosts() == 0
    later = timezone.localdate() + dt.timedelta(days=2)
    assert services.bookings_pay_hosts(today=later) == 1
    assert services.bookings_pay_hosts(today=later) == 0

    payable = member_account(alice, AccountKind.MEMBER_PAYABLE)
    assert -account_balance(payable).cents == booking.nights_cents + booking.cleaning_cents


def test_reviews_are_published_when_both_are_in_or_after_14_days(
    listing: Listing, alice: User, bob: User, project: CommunityProject, fake_stripe: FakeStripe
) -> None:
    booking = _confirmed(listing, bob, project, fake_stripe, 2)

    with pytest.raises(BookingStateError):
        services.review_submit(author=bob, booking=booking, rating=5)
    with time_machine.travel(timezone.now() + dt.timedelta(days=5)):
        guest_review = services.review_submit(author=bob, booking=booking, rating=5, text="Lovely")
        assert guest_review.published_at is None
        host_review = services.review_submit(author=alice, booking=booking, rating=4)
        assert host_review.published_at is not None
        guest_review.refresh_from_db()
        assert guest_review.published_at is not None


def test_a_lone_review_is_published_after_the_window(
    listing: Listing, bob: User, charlie: User, project: CommunityProject, fake_stripe: FakeStripe
) -> None:
    booking = _confirmed(listing, bob, project, fake_stripe, 2)
    with time_machine.travel(timezone.now() + dt.timedelta(days=5)):
        with pytest.raises(Exception, match="Only the guest and the host"):
            services.review_submit(author=charlie, booking=booking, rating=3)
        services.review_submit(author=bob, booking=booking, rating=3)
        assert services.reviews_publish_due() == 0
    assert services.reviews_publish_due(today=booking.check_out + dt.timedelta(days=14)) == 1
    assert Review.objects.get().published_at is not None


def test_a_late_payment_is_refunded_when_the_city_cap_was_used_up_meanwhile(
    *,
    listing: Listing,
    bob: User,
    charlie: User,
    project: CommunityProject,
    fake_stripe: FakeStripe,
    django_capture_on_commit_callbacks: Any,
) -> None:
    parameter_set(key="stays.zone.eixample.max_nights", value=3)
    late = book(listing, bob, project, 10, 3)
    assert late.payment is not None
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        assert services.bookings_expire() == 1
        other = book(listing, charlie, project, 20, 3)
        assert other.payment is not None
        fake_stripe.confirm(other.payment)
        with django_capture_on_commit_callbacks(execute=True):
            fake_stripe.confirm(late.payment)

    late.refresh_from_db()
    assert late.status == BookingStatus.EXPIRED
    assert late.refund_cents == late.total_cents
    assert [r["amount"] for r in fake_stripe.refunds] == [late.total_cents]


def test_a_booking_whose_payment_cannot_start_releases_its_nights(
    *,
    listing: Listing,
    bob: User,
    charlie: User,
    project: CommunityProject,
    fake_stripe: FakeStripe,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from coop.money import stripe_gateway  # noqa: PLC0415
    from coop.money.exceptions import PaymentProviderError  # noqa: PLC0415

    def down(**kwargs: object) -> object:
        raise PaymentProviderError()

    monkeypatch.setattr(stripe_gateway, "payment_intent_create", down)
    with pytest.raises(PaymentProviderError):
        book(listing, bob, project, 10, 2)
    monkeypatch.setattr(stripe_gateway, "payment_intent_create", fake_stripe.payment_intent_create)

    assert book(listing, charlie, project, 10, 2).status == BookingStatus.AWAITING_PAYMENT
