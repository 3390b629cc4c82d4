"""Every write of stays: homes and listings, blocked nights, bookings and their money, reviews.

Locking: a booking makes a home's nights scarce in two ways, the calendar (no overlap) and the
city's yearly cap (counted over every listing of the home). Both are checked under the lock of
the `Home` row, so a private room and the entire home of one flat queue up on the same lock.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from coop.commons.services import commons_event_publish
from coop.community.models import CommunityProject
from coop.exceptions import DomainError, InvalidInput, NotAllowed
from coop.geo.points import Point
from coop.locking import lock_for_update
from coop.members.models import User
from coop.members.services import member_lock_active
from coop.money.amounts import Money, allocate, default_currency, percent_of
from coop.money.ledger import Cause, coop_account, ledger_post, member_account
from coop.money.models import Account, AccountKind, Payment, PaymentPurpose
from coop.money.payments import on_payment_confirmed, payment_start
from coop.notifications.services import notification_send
from governance.parameters import parameter_value
from stays import ical
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
    HOLDING,
    BlockedRange,
    BlockSource,
    Booking,
    BookingStatus,
    CancellationPolicy,
    ExternalCalendar,
    Home,
    HomeType,
    Listing,
    ListingStatus,
    Review,
    ReviewRole,
    StayRecord,
)
from stays.pricing import refund_basis_points, stay_quote
from stays.services.refunds import booking_refund_open, booking_refund_send
from stays.zones import ZonePolicy, zone_for_point, zone_policy

SERVICE = "stays"
# The hosts' part of confirmed stays waits here until check-in, then moves to their payable.
HELD_KEY = "stays-hosts"
MAX_STAY_NIGHTS = 365


def require_member(user: User) -> None:
    if not user.in_good_standing:
        raise StaysNotAllowed("Only members in good standing can host or book stays.")


def held_account(currency: str) -> Account:
    return coop_account(AccountKind.DEPOSITS_HELD, key=HELD_KEY, currency=currency)


# --- Homes and listings ----------------------------------------------------------------------


@dataclass(slots=True)
class ListingInput:
    home_type: str
    title: str
    capacity: int
    beds: int
    nightly_price_cents: int
    description: str = ""
    amenities: list[str] = field(default_factory=list)
    accessibility_notes: str = ""
    house_rules: str = ""
    cleaning_fee_cents: int = 0
    min_nights: int = 1
    max_nights: int = 30
    check_in_time: dt.time = dt.time(15, 0)
    check_out_time: dt.time = dt.time(11, 0)
    instant_book: bool = False
    cancellation_policy: str = CancellationPolicy.MODERATE
    licence_number: str = ""


def _validate_listing(data: ListingInput) -> None:
    problems: dict[str, list[str]] = {}
    if data.home_type not in HomeType.values:
        problems["home_type"] = [f"One of {', '.join(HomeType.values)}."]
    if data.cancellation_policy not in CancellationPolicy.values:
        problems["cancellation_policy"] = [f"One of {', '.join(CancellationPolicy.values)}."]
    if not data.title.strip():
        problems["title"] = ["Give the listing a title."]
    if data.capacity < 1 or data.beds < 1:
        problems["capacity"] = ["At least one guest and one bed."]
    if data.nightly_price_cents < 1:
        problems["nightly_price_cents"] = ["A night costs something."]
    if data.cleaning_fee_cents < 0:
        problems["cleaning_fee_cents"] = ["Cannot be negative."]
    if not 1 <= data.min_nights <= data.max_nights <= MAX_STAY_NIGHTS:
        problems["min_nights"] = ["Minimum and maximum nights: 1 <= minimum <= maximum <= 365."]
    if problems:
        raise InvalidInput(fields=problems)


def _home_for(host: User, *, address: str, point: Point | None) -> tuple[Home, bool]:
    """The host's one home; created from `address` and `point` on their first listing."""
    home = Home.objects.filter(host=host).first()
    if home is not None:
        if address and address.strip() != home.address:
            raise OneHostOneHome(
                "You can only list rooms in the home you already listed, the one you live in. "
                "If you moved, change your home's address on the host desk first.",
                fields={"address": ["Must be your home's address."]},
            )
        return home, False
    if not address.strip() or point is None:
        raise InvalidInput(
            "Say where your home is.",
            fields={"address": ["Required for your first listing."], "location": ["Required."]},
        )
    try:
        with transaction.atomic():
            home = Home.objects.create(
                host=host,
                address=address.strip(),
                lat=point.lat,
                lng=point.lng,
                zone=zone_for_point(point),
            )
    except IntegrityError:
        raise OneHostOneHome() from None
    return home, True


def listing_create(
    *, host: User, data: ListingInput, address: str = "", point: Point | None = None
) -> Listing:
    """List the host's home (or a private room in it), within the city's rules."""
    require_member(host)
    _validate_listing(data)
    with transaction.atomic():
        home, _created = _home_for(host, address=address, point=point)
        policy = zone_policy(home.zone)
        if not policy.new_listings:
            raise NewListingsClosed()
        if not policy.licence_ok(data.licence_number):
            raise LicenceRequired(
                fields={"licence_number": ["A valid licence number (e.g. HUTB-012345)."]}
            )
        if (
            data.home_type == HomeType.ENTIRE_HOME
            and home.listings.filter(
                home_type=HomeType.ENTIRE_HOME, status=ListingStatus.ACTIVE
            ).exists()
        ):
            raise OneHostOneHome()
        try:
            with transaction.atomic():
                listing = Listing.objects.create(
                    home=home,
                    host=host,
                    currency=default_currency(),
                    ical_token=secrets.token_urlsafe(24),
                    **{name: getattr(data, name) for name in ListingInput.__dataclass_fields__},
                )
        except IntegrityError:
            # stays_listing_one_entire_home: a concurrent request listed the home first.
            raise OneHostOneHome() from None
        if policy.licence_required:
            # The city's webhook (outbox row now, sent by a task after commit).
            commons_event_publish(
                kind="listing.regulated_zone",
                payload={
                    "zone": policy.zone_slug,
                    "registration_number": listing.licence_number,
                    "home_type": listing.home_type,
                    "capacity": listing.capacity,
                },
            )
        return listing


def listing_update(*, host: User, listing: Listing, data: ListingInput) -> Listing:
    """Change what a listing says; the zone's licence rule applies again. The home's address
    stays (one host, one home: a member who moves lists the new home after leaving the old)."""
    if listing.host_id != host.pk:
        raise StaysNotAllowed("Only the host can change the listing.")
    _validate_listing(data)
    if not zone_policy(listing.home.zone).licence_ok(data.licence_number):
        raise LicenceRequired(
            fields={"licence_number": ["A valid licence number (e.g. HUTB-012345)."]}
        )
    for name in ListingInput.__dataclass_fields__:
        setattr(listing, name, getattr(data, name))
    try:
        with transaction.atomic():
            listing.save()
    except IntegrityError:
        raise OneHostOneHome() from None
    return listing


def listing_set_status(*, host: User, listing: Listing, status: str) -> Listing:
    if listing.host_id != host.pk:
        raise StaysNotAllowed("Only the host can change the listing.")
    if status not in ListingStatus.values:
        raise InvalidInput(fields={"status": [f"One of {', '.join(ListingStatus.values)}."]})
    if status == ListingStatus.ACTIVE and listing.status != ListingStatus.ACTIVE:
        home = listing.home
        policy = zone_policy(home.zone)
        if home.moved_on is not None and not policy.new_listings:
            # Listings that moved into a zone closed to new listings are new there.
            raise NewListingsClosed()
        if not policy.licence_ok(listing.licence_number):
            raise LicenceRequired(
                fields={"licence_number": ["A valid licence number (e.g. HUTB-012345)."]}
            )
    try:
        with transaction.atomic():
            listing.status = status
            listing.save(update_fields=["status"])
    except IntegrityError:
        raise OneHostOneHome() from None
    return listing


# --- Availability and the city's cap ---------------------------------------------------------


def _sibling_listings(listing: Listing) -> Q:
    """Listings whose bookings take this listing's nights: the entire home takes every room."""
    if listing.home_type == HomeType.ENTIRE_HOME:
        return Q(listing__home_id=listing.home_id)
    return Q(listing=listing) | Q(
        listing__home_id=listing.home_id, listing__home_type=HomeType.ENTIRE_HOME
    )


def _live_bookings(now: dt.datetime) -> Q:
    return Q(status=BookingStatus.CONFIRMED) | Q(status__in=HOLDING, hold_until__gt=now)


def nights_taken(
    *, listing: Listing, check_in: dt.date, check_out: dt.date, exclude: Booking | None = None
) -> bool:
    now = timezone.now()
    bookings = Booking.objects.filter(
        _sibling_listings(listing),
        _live_bookings(now),
        check_in__lt=check_out,
        check_out__gt=check_in,
    )
    if exclude is not None:
        bookings = bookings.exclude(pk=exclude.pk)
    if bookings.exists():
        return True
    blocks = BlockedRange.objects.filter(start__lt=check_out, end__gt=check_in)
    if listing.home_type == HomeType.ENTIRE_HOME:
        blocks = blocks.filter(listing__home_id=listing.home_id)
    else:
        blocks = blocks.filter(
            Q(listing=listing)
            | Q(listing__home_id=listing.home_id, listing__home_type=HomeType.ENTIRE_HOME)
        )
    return blocks.exists()


def _nights_in_year(start: dt.date, end: dt.date, year: int) -> int:
    first = max(start, dt.date(year, 1, 1))
    last = min(end, dt.date(year + 1, 1, 1))
    return max(0, (last - first).days)


def home_nights_in_year(*, home: Home, year: int, exclude: Booking | None = None) -> int:
    """Nights the home is let in `year`: live bookings here plus nights booked elsewhere
    (imported calendars), as the city counts them."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    if home.moved_on is not None:
        # A new address is a new dwelling for the city: only nights since the move count (no
        # stay at the old address can have checked out later: home_move waits for them).
        start = max(start, home.moved_on)
    bookings = Booking.objects.filter(
        _live_bookings(timezone.now()), listing__home=home, check_in__lt=end, check_out__gt=start
    )
    if exclude is not None:
        bookings = bookings.exclude(pk=exclude.pk)
    total = sum(
        _nights_in_year(max(b.check_in, start), b.check_out, year)
        for b in bookings.only("check_in", "check_out")
    )
    blocks = BlockedRange.objects.filter(
        listing__home=home, source=BlockSource.EXTERNAL, start__lt=end, end__gt=start
    ).only("start", "end")
    return total + sum(_nights_in_year(max(b.start, start), b.end, year) for b in blocks)


def _check_cap(
    *,
    home: Home,
    policy: ZonePolicy,
    check_in: dt.date,
    check_out: dt.date,
    exclude: Booking | None = None,
) -> None:
    """Caller holds the lock on `home`."""
    for year in range(check_in.year, (check_out - timedelta(days=1)).year + 1):
        used = home_nights_in_year(home=home, year=year, exclude=exclude)
        wanted = _nights_in_year(check_in, check_out, year)
        if used + wanted > policy.max_nights:
            left = max(0, policy.max_nights - used)
            raise NightCapReached(
                f"The city allows {policy.max_nights} nights a year for this home; "
                f"{left} are left in {year}."
            )


def _publish_if_cap_reached(*, home: Home, listing: Listing, booking: Booking) -> None:
    """Tell the city (commons webhook) when a confirmed stay uses up the home's yearly nights.

    Caller holds the lock on `home`, so two confirmations cannot both see the cap as not yet
    reached; the event names the listing's registration number, never the host."""
    policy = zone_policy(home.zone)
    last_night = booking.check_out - timedelta(days=1)
    for year in range(booking.check_in.year, last_night.year + 1):
        if home_nights_in_year(home=home, year=year) >= policy.max_nights:
            commons_event_publish(
                kind="listing.night_cap_reached",
                payload={
                    "zone": policy.zone_slug,
                    "registration_number": listing.licence_number,
                    "year": year,
                    "max_nights": policy.max_nights,
                },
            )


def _check_dates(listing: Listing, check_in: dt.date, check_out: dt.date) -> None:
    if check_out <= check_in:
        raise InvalidDates(fields={"check_out": ["Must be after check-in."]})
    if check_in < timezone.localdate():
        raise InvalidDates(fields={"check_in": ["Must not be in the past."]})
    nights = (check_out - check_in).days
    if not listing.min_nights <= nights <= listing.max_nights:
        raise InvalidDates(
            f"This home takes stays of {listing.min_nights} to {listing.max_nights} nights.",
            fields={
                "check_out": [f"Between {listing.min_nights} and {listing.max_nights} nights."]
            },
        )


# --- Booking ---------------------------------------------------------------------------------


def _check_booking_rules(
    *, guest: User, listing: Listing, guests: int, community_project: CommunityProject
) -> ZonePolicy:
    """The rules that do not depend on other bookings; returns the zone's policy."""
    require_member(guest)
    if listing.host_id == guest.pk:
        raise StaysNotAllowed("You cannot book your own home.")
    if listing.status != ListingStatus.ACTIVE:
        raise NotAvailable("This listing is paused.")
    if guests < 1:
        raise InvalidInput(fields={"guests": ["At least one guest."]})
    if not community_project.approved:
        raise InvalidInput(
            "Pick one of the community projects approved by the members.",
            fields={"community_project": ["Not an approved project."]},
        )
    policy = zone_policy(listing.home.zone)
    if guests > listing.capacity:
        raise TooManyGuests(
            f"This home sleeps {listing.capacity}.", fields={"guests": ["Too many."]}
        )
    if guests > policy.max_guests:
        raise TooManyGuests(
            f"The city allows at most {policy.max_guests} guests per stay here.",
            fields={"guests": ["Too many."]},
        )
    if not policy.licence_ok(listing.licence_number):
        raise LicenceRequired("This home has no valid licence for this zone; it cannot be booked.")
    return policy


def booking_create(
    *,
    guest: User,
    listing: Listing,
    check_in: dt.date,
    check_out: dt.date,
    guests: int,
    community_project: CommunityProject,
) -> Booking:
    """Book (instant) or ask to book (request). Either way the nights are held at once."""
    policy = _check_booking_rules(
        guest=guest, listing=listing, guests=guests, community_project=community_project
    )
    _check_dates(listing, check_in, check_out)
    home = listing.home
    quote = stay_quote(listing=listing, check_in=check_in, check_out=check_out)
    now = timezone.now()
    with transaction.atomic():
        (home,) = lock_for_update(home)
        member_lock_active(guest, listing.host)
        if nights_taken(listing=listing, check_in=check_in, check_out=check_out):
            raise NotAvailable()
        _check_cap(home=home, policy=policy, check_in=check_in, check_out=check_out)
        if listing.instant_book:
            hold = now + timedelta(minutes=parameter_value("stays.payment_hold_minutes"))
        else:
            hold = now + timedelta(hours=parameter_value("stays.request_expiry_hours"))
        booking = Booking.objects.create(
            listing=listing,
            guest=guest,
            check_in=check_in,
            check_out=check_out,
            guests=guests,
            status=(
                BookingStatus.AWAITING_PAYMENT if listing.instant_book else BookingStatus.REQUESTED
            ),
            instant=listing.instant_book,
            hold_until=hold,
            nights_cents=quote.nights_total.cents,
            cleaning_cents=quote.cleaning.cents,
            coop_fee_cents=quote.coop_fee.cents,
            community_share_cents=quote.community_share.cents,
            total_cents=quote.total.cents,
            currency=quote.total.currency,
            community_project=community_project,
        )
        if not listing.instant_book:
            notification_send(
                recipient=listing.host,
                kind="stays.booking_requested",
                title=f"{guest.display_name} asks to stay {check_in:%d %b}-{check_out:%d %b}",
                body="Answer within 48 hours or the request expires.",
                url="/stays/host/",
            )
    if listing.instant_book:
        try:
            booking = _payment_start(booking)
        except DomainError:
            # No payment could be started (Stripe unreachable): release the nights at once.
            Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.EXPIRED)
            raise
    return booking


def _payment_start(booking: Booking) -> Booking:
    """Start the guest's payment (a Stripe call: outside any transaction and lock)."""
    currency = booking.currency
    fee_revenue = booking.coop_fee_cents - booking.community_share_cents
    splits = [
        (held_account(currency), booking.host_share_cents),
        (coop_account(AccountKind.FEE_REVENUE, currency=currency), fee_revenue),
        (
            coop_account(
                AccountKind.COMMUNITY_PROJECT, key=booking.community_project.slug, currency=currency
            ),
            booking.community_share_cents,
        ),
    ]
    payment = payment_start(
        payer=booking.guest,
        amount=Money(booking.total_cents, currency),
        purpose=PaymentPurpose.STAY,
        cause=Cause.of(SERVICE, booking, member=booking.guest),
        splits=[(account, weight) for account, weight in splits if weight > 0],
    )
    updated = Booking.objects.filter(pk=booking.pk, payment__isnull=True).update(payment=payment)
    booking.refresh_from_db()
    if not updated:
        raise BookingStateError("A payment for this booking is already under way.")
    return booking


def booking_pay(*, guest: User, booking: Booking) -> Booking:
    """Start the payment of an accepted request whose payment could not start at the time."""
    if booking.guest_id != guest.pk:
        raise StaysNotAllowed("Only the guest pays for the stay.")
    if booking.status != BookingStatus.AWAITING_PAYMENT or booking.payment_id is not None:
        raise BookingStateError("This booking has nothing to pay now.")
    return _payment_start(booking)


def _host_only(user: User, booking: Booking) -> None:
    if booking.listing.host_id != user.pk:
        raise StaysNotAllowed("Only the host can answer this request.")


def booking_accept(*, host: User, booking: Booking) -> Booking:
    """The host accepts a request; the guest then has a day (a parameter) to pay."""
    _host_only(host, booking)
    with transaction.atomic():
        (booking,) = lock_for_update(booking)
        if booking.status != BookingStatus.REQUESTED or (
            booking.hold_until is not None and booking.hold_until <= timezone.now()
        ):
            raise BookingStateError("Only a request still waiting for an answer can be accepted.")
        booking.status = BookingStatus.AWAITING_PAYMENT
        booking.hold_until = timezone.now() + timedelta(
            hours=parameter_value("stays.accepted_payment_hold_hours")
        )
        booking.save(update_fields=["status", "hold_until", "updated_at"])
        notification_send(
            recipient=booking.guest,
            kind="stays.booking_accepted",
            title=f"{booking.listing.title}: your request is accepted. Pay to confirm.",
            url=f"/stays/bookings/{booking.pk}/",
        )
    return _payment_start(booking)


def booking_decline(*, host: User, booking: Booking) -> Booking:
    _host_only(host, booking)
    with transaction.atomic():
        (booking,) = lock_for_update(booking)
        if booking.status != BookingStatus.REQUESTED:
            raise BookingStateError("Only a request waiting for an answer can be declined.")
        booking.status = BookingStatus.DECLINED
        booking.save(update_fields=["status", "updated_at"])
        notification_send(
            recipient=booking.guest,
            kind="stays.booking_declined",
            title=f"{booking.listing.title}: the host cannot host you on those dates.",
            url=f"/stays/bookings/{booking.pk}/",
        )
    return booking


@on_payment_confirmed(PaymentPurpose.STAY)
def _stay_paid(payment: Payment) -> None:
    """Runs in the transaction that booked the payment: the stay is confirmed if its nights are
    still free (a hold that ran out may have let someone else in: then the guest is refunded)."""
    booking = Booking.objects.filter(payment=payment).select_related("listing__home").first()
    if booking is None:
        return
    (home,) = lock_for_update(booking.listing.home)
    (booking,) = lock_for_update(booking)
    listing = booking.listing
    free = (
        booking.status
        in {
            BookingStatus.AWAITING_PAYMENT,
            BookingStatus.EXPIRED,
        }
        and not Booking.objects.filter(
            _sibling_listings(listing),
            status=BookingStatus.CONFIRMED,
            check_in__lt=booking.check_out,
            check_out__gt=booking.check_in,
        )
        .exclude(pk=booking.pk)
        .exists()
    )
    if free and booking.status == BookingStatus.EXPIRED:
        # The hold ran out: other stays may have used up the city's nights meanwhile.
        try:
            _check_cap(
                home=home,
                policy=zone_policy(home.zone),
                check_in=booking.check_in,
                check_out=booking.check_out,
                exclude=booking,
            )
        except NightCapReached:
            free = False
    if not free:
        booking.status = (
            BookingStatus.CANCELLED
            if booking.status == BookingStatus.CANCELLED
            else BookingStatus.EXPIRED
        )
        booking.refund_cents = booking.total_cents
        booking.save(update_fields=["status", "refund_cents", "updated_at"])
        refund = booking_refund_open(
            booking=booking, amount_cents=booking.total_cents, reason="Stay no longer available"
        )
        # A refusal is recorded on the refund and retried; robust: the payment stays confirmed.
        transaction.on_commit(lambda: booking_refund_send(refund=refund), robust=True)
        notification_send(
            recipient=booking.guest,
            kind="stays.booking_refunded",
            title=f"{listing.title}: those nights were taken; your payment is refunded in full.",
            url=f"/stays/bookings/{booking.pk}/",
        )
        return
    booking.status = BookingStatus.CONFIRMED
    booking.hold_until = None
    booking.save(update_fields=["status", "hold_until", "updated_at"])
    StayRecord.objects.create(
        booking=booking,
        registration_number=listing.licence_number,
        zone_slug=home.zone.slug if home.zone_id and home.zone else "",
        check_in=booking.check_in,
        nights=booking.nights,
        guests=booking.guests,
    )
    _publish_if_cap_reached(home=home, listing=listing, booking=booking)
    for recipient, title in (
        (booking.guest, f"Your stay at {listing.title} is confirmed."),
        (listing.host, f"New stay: {booking.guest.display_name}, {booking.check_in:%d %b}."),
    ):
        notification_send(
            recipient=recipient,
            kind="stays.booking_confirmed",
            title=title,
            url=f"/stays/bookings/{booking.pk}/",
        )


def booking_cancel(*, user: User, booking: Booking) -> Booking:
    """The guest or the host cancels; a confirmed stay is refunded per policy and dates."""
    is_host = booking.listing.host_id == user.pk
    if not is_host and booking.guest_id != user.pk:
        raise StaysNotAllowed("Only the guest or the host can cancel this booking.")
    with transaction.atomic():
        (booking,) = lock_for_update(booking)
        if booking.status in HOLDING:
            booking.status = BookingStatus.CANCELLED
            booking.cancelled_by = user
            booking.save(update_fields=["status", "cancelled_by", "updated_at"])
            return booking
        if booking.status != BookingStatus.CONFIRMED:
            raise BookingStateError("This booking is not active.")
        today = timezone.localdate()
        if today >= booking.check_in:
            raise BookingStateError("The stay has started; contact the co-op for help.")
        share = refund_basis_points(
            policy=booking.listing.cancellation_policy,
            check_in=booking.check_in,
            today=today,
            by_host=is_host,
        )
        refund = percent_of(Money(booking.total_cents, booking.currency), basis_points=share)
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_by = user
        booking.refund_cents = refund.cents
        booking.save(update_fields=["status", "cancelled_by", "refund_cents", "updated_at"])
        StayRecord.objects.filter(booking=booking).update(cancelled=True)
        _release_kept_to_host(booking, refund)
        owed = (
            booking_refund_open(booking=booking, amount_cents=refund.cents, reason="Stay cancelled")
            if refund.is_positive and booking.payment is not None
            else None
        )
        other = booking.guest if is_host else booking.listing.host
        notification_send(
            recipient=other,
            kind="stays.booking_cancelled",
            title=f"The stay at {booking.listing.title} on {booking.check_in:%d %b} is cancelled.",
            body=f"Refund to the guest: {refund}.",
            url=f"/stays/bookings/{booking.pk}/",
        )
    if owed is not None:
        # After the cancellation committed (a Stripe call); a refusal is kept and retried.
        booking_refund_send(refund=owed)
    return booking


def _release_kept_to_host(booking: Booking, refund: Money) -> None:
    """What the host keeps of a cancelled stay leaves the hold now. Caller holds the booking.

    The refund is reversed over the payment's splits in proportion (coop.money); the host's part
    of it is computed the same way, so the hold ends at exactly zero for this booking.
    """
    weights = [
        w
        for w in (
            booking.host_share_cents,
            booking.coop_fee_cents - booking.community_share_cents,
            booking.community_share_cents,
        )
        if w > 0
    ]
    host_refund = allocate(refund, weights)[0] if refund.is_positive else refund
    kept = Money(booking.host_share_cents, booking.currency) - host_refund
    _pay_host(booking, kept)


def _pay_host(booking: Booking, amount: Money) -> None:
    """Move `amount` from the hold to the host's payable account, once per booking."""
    if booking.payment is None or booking.payment.ledger_transaction_id is None:
        return
    if amount.is_positive:
        ledger_post(
            entries=[
                (held_account(booking.currency), amount),
                (member_account(booking.listing.host, AccountKind.MEMBER_PAYABLE), -amount),
            ],
            cause=Cause.of(SERVICE, booking, member=booking.listing.host),
            description=f"Stay {booking.pk}: host's share",
            idempotency_key=f"stays-host-{booking.pk}",
        )
    booking.host_paid_cents = amount.cents
    booking.host_paid_at = timezone.now()
    booking.save(update_fields=["host_paid_cents", "host_paid_at", "updated_at"])


def bookings_pay_hosts(*, today: dt.date | None = None) -> int:
    """Pay hosts their share of every confirmed stay that has checked in. Idempotent."""
    today = today or timezone.localdate()
    due = Booking.objects.filter(
        status=BookingStatus.CONFIRMED,
        check_in__lte=today,
        host_paid_at__isnull=True,
        payment__ledger_transaction__isnull=False,
    ).values_list("pk", flat=True)
    paid = 0
    for pk in due:
        with transaction.atomic():
            (booking,) = lock_for_update(Booking.objects.select_related("payment").get(pk=pk))
            if booking.host_paid_at is not None or booking.status != BookingStatus.CONFIRMED:
                continue
            _pay_host(booking, Money(booking.host_share_cents, booking.currency))
            notification_send(
                recipient=booking.listing.host,
                kind="stays.host_paid",
                title=f"{Money(booking.host_share_cents, booking.currency)} for the stay of "
                f"{booking.guest.display_name} is on your payable balance.",
                url="/stays/host/",
            )
            paid += 1
    return paid


def bookings_expire(*, now: dt.datetime | None = None) -> int:
    """Requests nobody answered and payments nobody made release their nights."""
    now = now or timezone.now()
    expired = 0
    for booking in Booking.objects.filter(status__in=HOLDING, hold_until__lte=now):
        with transaction.atomic():
            changed = Booking.objects.filter(
                pk=booking.pk, status=booking.status, hold_until__lte=now
            ).update(status=BookingStatus.EXPIRED, updated_at=now)
            if changed:
                expired += 1
                notification_send(
                    recipient=booking.guest,
                    kind="stays.booking_expired",
                    title=f"Your booking request for {booking.listing.title} expired.",
                    url=f"/stays/bookings/{booking.pk}/",
                )
    return expired


# --- Calendar --------------------------------------------------------------------------------


def block_create(*, host: User, listing: Listing, start: dt.date, end: dt.date) -> BlockedRange:
    if listing.host_id != host.pk:
        raise StaysNotAllowed("Only the host can block nights.")
    if end <= start:
        raise InvalidDates(fields={"end": ["Must be after the start."]})
    if (end - start).days > MAX_STAY_NIGHTS:
        raise InvalidDates(fields={"end": ["Block at most a year at a time."]})
    return BlockedRange.objects.create(listing=listing, start=start, end=end, source="host")


def block_delete(*, host: User, block: BlockedRange) -> None:
    if block.listing.host_id != host.pk or block.source != BlockSource.HOST:
        raise StaysNotAllowed("Only the host can unblock nights they blocked.")
    block.delete()


def calendar_add(*, host: User, listing: Listing, url: str) -> ExternalCalendar:
    if listing.host_id != host.pk:
        raise StaysNotAllowed("Only the host can import calendars.")
    if not url.startswith(("https://", "http://")):
        raise InvalidInput(fields={"url": ["An http(s) address of an iCal feed."]})
    calendar, _ = ExternalCalendar.objects.get_or_create(listing=listing, url=url)
    return calendar


def calendar_import_text(*, calendar: ExternalCalendar, text: str) -> int:
    """Replace the calendar's blocked nights with the events of `text`. Returns how many."""
    ranges = ical.parse_ranges(text)
    with transaction.atomic():
        BlockedRange.objects.filter(calendar=calendar).delete()
        BlockedRange.objects.bulk_create(
            BlockedRange(
                listing_id=calendar.listing_id,
                start=start,
                end=end,
                source=BlockSource.EXTERNAL,
                calendar=calendar,
            )
            for start, end in ranges
        )
        calendar.last_fetched_at = timezone.now()
        calendar.last_error = ""
        calendar.save(update_fields=["last_fetched_at", "last_error"])
    return len(ranges)


def calendar_mark_failed(*, calendar: ExternalCalendar, error: str) -> None:
    calendar.last_error = error[:300]
    calendar.save(update_fields=["last_error"])


# --- Reviews ---------------------------------------------------------------------------------


def review_submit(*, author: User, booking: Booking, rating: int, text: str = "") -> Review:
    """Guest and host review each other after the stay; both are published together, or
    after the window closes."""
    if booking.guest_id == author.pk:
        role = ReviewRole.GUEST
    elif booking.listing.host_id == author.pk:
        role = ReviewRole.HOST
    else:
        raise NotAllowed("Only the guest and the host of this stay can review it.")
    if not 1 <= rating <= 5:
        raise InvalidInput(fields={"rating": ["From 1 to 5."]})
    today = timezone.localdate()
    window = parameter_value("stays.review_window_days")
    if booking.status != BookingStatus.CONFIRMED or today < booking.check_out:
        raise BookingStateError("Reviews open after check-out.")
    if today > booking.check_out + timedelta(days=window):
        raise BookingStateError("The review window for this stay has closed.")
    with transaction.atomic():
        (booking,) = lock_for_update(booking)
        if Review.objects.filter(booking=booking, role=role).exists():
            raise BookingStateError("You have already reviewed this stay.")
        review = Review.objects.create(
            booking=booking, author=author, role=role, rating=rating, text=text.strip()
        )
        if Review.objects.filter(booking=booking).count() == len(ReviewRole.values):
            Review.objects.filter(booking=booking).update(published_at=timezone.now())
            review.refresh_from_db()
    return review


def reviews_publish_due(*, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    window = parameter_value("stays.review_window_days")
    return Review.objects.filter(
        published_at__isnull=True, booking__check_out__lte=today - timedelta(days=window)
    ).update(published_at=timezone.now())


# --- Community projects (the board keeps the list the members approved) ---------------------
