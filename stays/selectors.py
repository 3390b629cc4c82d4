"""Reads of stays: search, permission-checked fetchers, calendars, the host's dashboard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from coop.algorithms import algorithm_register
from coop.community.models import CommunityProject, ProjectStatus
from coop.exceptions import InvalidInput, NotFound
from coop.geo.approximate import approximate_point
from coop.geo.points import Point
from coop.geo.search import radius_search, validate_radius
from coop.members.models import User
from stays import ical
from stays.models import (
    BlockedRange,
    Booking,
    BookingRefund,
    BookingStatus,
    Home,
    HomeType,
    Listing,
    ListingStatus,
    RefundStatus,
    Review,
    ReviewRole,
    Zone,
)


def listing_base() -> QuerySet[Listing]:
    return Listing.objects.select_related("home__zone", "host").prefetch_related("photos")


@dataclass(frozen=True, slots=True)
class ListingHit:
    listing: Listing
    distance_km: float | None


def listing_search(
    *,
    near: Point | None = None,
    radius_km: float | None = None,
    check_in: dt.date | None = None,
    check_out: dt.date | None = None,
    guests: int | None = None,
) -> list[ListingHit]:
    """Active listings, nearest first when `near` is given, free on the dates when given."""
    queryset = listing_base().filter(status=ListingStatus.ACTIVE)
    if guests is not None:
        queryset = queryset.filter(capacity__gte=guests)
    if check_in is not None and check_out is not None:
        nights = (check_out - check_in).days
        queryset = queryset.filter(min_nights__lte=nights, max_nights__gte=nights)
        now = timezone.now()
        bookings = Booking.objects.filter(
            Q(status=BookingStatus.CONFIRMED)
            | Q(
                status__in=[BookingStatus.REQUESTED, BookingStatus.AWAITING_PAYMENT],
                hold_until__gt=now,
            ),
            check_in__lt=check_out,
            check_out__gt=check_in,
        )
        blocks = BlockedRange.objects.filter(start__lt=check_out, end__gt=check_in)
        for taken in (bookings, blocks):
            # A taken room takes the entire home's nights; a taken entire home takes every room.
            queryset = queryset.exclude(pk__in=taken.values("listing_id"))
            queryset = queryset.exclude(
                home_type=HomeType.ENTIRE_HOME, home_id__in=taken.values("listing__home_id")
            )
            queryset = queryset.exclude(
                home_id__in=taken.filter(listing__home_type=HomeType.ENTIRE_HOME).values(
                    "listing__home_id"
                )
            )
    if near is not None:
        radius = validate_radius(radius_km if radius_km is not None else 5.0)
        annotated = queryset.annotate(lat=F("home__lat"), lng=F("home__lng"))
        hits = [
            ListingHit(hit.obj, hit.distance_km)
            for hit in radius_search(annotated, center=near, radius_km=radius, limit=200)
        ]
    else:
        hits = [ListingHit(listing, None) for listing in queryset[:200]]
    return hits


def listing_get(pk: int) -> Listing:
    listing = listing_base().filter(pk=pk).first()
    if listing is None:
        raise NotFound("No such listing.")
    return listing


def listing_get_for_host(user: User, pk: int) -> Listing:
    listing = listing_get(pk)
    if listing.host_id != user.pk:
        raise NotFound("No such listing of yours.")
    return listing


def listing_point_for(listing: Listing, user: User | None) -> tuple[Point, bool]:
    """The exact point for the host and confirmed guests; an approximate one for everyone else."""
    if user is not None and can_see_address(listing, user):
        return listing.home.point, True
    return approximate_home_point(listing), False


def can_see_address(listing: Listing, user: User) -> bool:
    if not user.is_authenticated:
        return False
    if listing.host_id == user.pk:
        return True
    return Booking.objects.filter(
        listing__home_id=listing.home_id, guest=user, status=BookingStatus.CONFIRMED
    ).exists()


def booking_get_for_user(user: User, pk: int) -> Booking:
    booking = (
        Booking.objects.select_related("listing__home__zone", "listing__host", "guest", "payment")
        .select_related("community_project", "refund")
        .filter(pk=pk)
        .filter(Q(guest=user) | Q(listing__host=user))
        .first()
    )
    if booking is None:
        raise NotFound("No such booking of yours.")
    return booking


def bookings_of_guest(user: User) -> QuerySet[Booking]:
    return Booking.objects.filter(guest=user).select_related("listing", "payment")


def bookings_of_host(user: User) -> QuerySet[Booking]:
    return Booking.objects.filter(listing__host=user).select_related("listing", "guest", "payment")


def approved_projects() -> QuerySet[CommunityProject]:
    return CommunityProject.objects.filter(status=ProjectStatus.APPROVED)


def published_reviews(listing: Listing) -> QuerySet[Review]:
    return Review.objects.filter(
        booking__listing=listing, role="guest", published_at__isnull=False
    ).select_related("author")


def listing_calendar_text(listing: Listing, *, domain: str) -> str:
    """Booked and blocked nights as iCal, for other platforms to import."""
    now = timezone.now()
    bookings = Booking.objects.filter(
        Q(status=BookingStatus.CONFIRMED)
        | Q(
            status__in=[BookingStatus.REQUESTED, BookingStatus.AWAITING_PAYMENT], hold_until__gt=now
        ),
        listing=listing,
        check_out__gte=timezone.localdate(),
    ).only("pk", "check_in", "check_out")
    blocks = BlockedRange.objects.filter(listing=listing, end__gte=timezone.localdate()).only(
        "pk", "start", "end"
    )
    events = [
        ical.CalendarEvent(f"stays-booking-{b.pk}", b.check_in, b.check_out, "Booked")
        for b in bookings
    ] + [ical.CalendarEvent(f"stays-block-{b.pk}", b.start, b.end, "Not available") for b in blocks]
    events.sort(key=lambda event: (event.start, event.uid))
    return ical.calendar_text(name=listing.title, events=events, stamp=now, domain=domain)


def month_days(year: int, month: int) -> list[dt.date]:
    first = dt.date(year, month, 1)
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return [first + dt.timedelta(days=n) for n in range((following - first).days)]


def taken_nights(listing: Listing, start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """Each night of [start, end) that is taken, with why: booked, held or blocked."""
    taken: dict[dt.date, str] = {}
    now = timezone.now()
    for block in BlockedRange.objects.filter(listing=listing, start__lt=end, end__gt=start):
        for n in range(block.nights):
            taken[block.start + dt.timedelta(days=n)] = "blocked"
    bookings = Booking.objects.filter(
        listing=listing, check_in__lt=end, check_out__gt=start
    ).filter(
        Q(status=BookingStatus.CONFIRMED)
        | Q(
            status__in=[BookingStatus.REQUESTED, BookingStatus.AWAITING_PAYMENT], hold_until__gt=now
        )
    )
    for booking in bookings:
        kind = "booked" if booking.status == BookingStatus.CONFIRMED else "held"
        for n in range(booking.nights):
            taken[booking.check_in + dt.timedelta(days=n)] = kind
    return taken


SEARCH = algorithm_register(
    slug="stays.search",
    name="Stays search",
    version="1",
    description=(
        "Active listings that sleep the guests and are free for every night asked (no confirmed "
        "or held booking, no blocked night, in the room and in its entire home), within the "
        "radius, nearest first by the distance to the approximate point shown to everyone."
    ),
    parameter_keys=(),
    constants={"default_radius_km": 5.0, "max_results": 200},
)


def approximate_home_point(listing: Listing) -> Point:
    return approximate_point(listing.home.point, key=listing.home.display_key)


def homes_with_address_for(user: User) -> set[int]:
    """Homes whose exact address `user` may see: their own, and those they have a confirmed
    stay in. One query for a whole page of results."""
    if not user.is_authenticated:
        return set()
    return set(
        Booking.objects.filter(guest=user, status=BookingStatus.CONFIRMED).values_list(
            "listing__home_id", flat=True
        )
    ) | set(Home.objects.filter(host=user).values_list("pk", flat=True))


def parse_dates(check_in: str | None, check_out: str | None) -> tuple[dt.date, dt.date] | None:
    """Both dates or neither, as YYYY-MM-DD, check-out after check-in."""
    if not check_in and not check_out:
        return None
    problems: dict[str, list[str]] = {}
    parsed: dict[str, dt.date] = {}
    for name, value in (("check_in", check_in), ("check_out", check_out)):
        try:
            parsed[name] = dt.date.fromisoformat(value or "")
        except ValueError:
            problems[name] = ["A date like 2026-07-01."]
    if problems:
        raise InvalidInput(fields=problems)
    if parsed["check_out"] <= parsed["check_in"]:
        raise InvalidInput(fields={"check_out": ["Must be after check-in."]})
    if (parsed["check_out"] - parsed["check_in"]).days > 365:
        raise InvalidInput(fields={"check_out": ["At most a year after check-in."]})
    return parsed["check_in"], parsed["check_out"]


def refunds_for_board() -> QuerySet[BookingRefund]:
    """Refunds that have not reached the guest, refused ones first (the board's queue)."""
    return (
        BookingRefund.objects.exclude(status=RefundStatus.SUCCEEDED)
        .select_related("booking__guest", "booking__listing")
        .order_by("-status", "created_at")
    )


def refund_get_for_board(pk: int) -> BookingRefund:
    refund = BookingRefund.objects.select_related("booking__guest").filter(pk=pk).first()
    if refund is None:
        raise NotFound("No such refund.")
    return refund


def guest_reviews(guest: User) -> QuerySet[Review]:
    """What hosts wrote about `guest`, once published (both reviews in, or the window closed)."""
    return (
        Review.objects.filter(
            booking__guest=guest, role=ReviewRole.HOST, published_at__isnull=False
        )
        .select_related("author", "booking__listing")
        .order_by("-published_at", "-id")
    )


def can_see_guest_reviews(viewer: User, guest: User) -> bool:
    """The guest, and hosts the guest asked to stay with (deciding on a request)."""
    if not viewer.is_authenticated:
        return False
    return (
        viewer.pk == guest.pk or Booking.objects.filter(guest=guest, listing__host=viewer).exists()
    )


def zones_for_board() -> QuerySet[Zone]:
    return Zone.objects.annotate(homes=Count("home")).order_by("name")


def zone_get(pk: int) -> Zone:
    zone = Zone.objects.filter(pk=pk).first()
    if zone is None:
        raise NotFound("No such zone.")
    return zone
