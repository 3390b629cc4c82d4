"""Short stays: city zones and their rules, hosts' homes and listings, nights, bookings, reviews.

One host, one home is enforced by the schema: a member has at most one `Home` (the one they live
in, `stays_home_one_per_host`), listings hang off that home, and a home has at most one active
entire-home listing (`stays_listing_one_entire_home`). Private rooms are listings of that same home.

A booking names the community project (coop.community) its community share funds.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from coop.community.models import CommunityProject
from coop.geo.points import Point
from coop.images.models import PublicPhoto
from coop.money.amounts import Money


class Zone(models.Model):
    """An area of the city with its short-stay policy. The polygon is a list of [lat, lng]."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    polygon = models.JSONField(help_text="Closed ring of [lat, lng] vertices.")
    # Bounding box, kept from the polygon, so a point lookup filters in SQL first.
    min_lat = models.FloatField()
    max_lat = models.FloatField()
    min_lng = models.FloatField()
    max_lng = models.FloatField()
    licence_pattern = models.CharField(
        max_length=200, blank=True, help_text="Regular expression a licence number must match."
    )
    description = models.TextField(blank=True)
    # Which set of voted parameters (`stays.zone.<policy_key>.<rule>`) this zone follows; the
    # board links a zone to a set, members change the values by vote. Blank: the set named
    # after the slug, or the defaults when none is declared (see stays/zones.py).
    policy_key = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_lat__lte=F("max_lat")) & Q(min_lng__lte=F("max_lng")),
                name="stays_zone_bbox_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Home(models.Model):
    """The home a host lives in. Its exact address is private."""

    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    address = models.CharField(max_length=300)
    lat = models.FloatField()
    lng = models.FloatField()
    zone = models.ForeignKey(Zone, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    # A host who moves keeps this row (one host, one home) with the new address; the count keys
    # a fresh approximate point, and the city's yearly cap counts nights from the move on.
    moves = models.PositiveSmallIntegerField(default=0)
    moved_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["host"], name="stays_home_one_per_host"),
            models.CheckConstraint(
                condition=Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180),
                name="stays_home_point_valid",
            ),
        ]
        indexes = [models.Index(fields=["lat", "lng"], name="stays_home_lat_lng")]

    def __str__(self) -> str:
        return f"Home of {self.host_id}"

    @property
    def point(self) -> Point:
        return Point(self.lat, self.lng)

    @property
    def display_key(self) -> str:
        """Keys the approximate point: a new one after each move, so someone who knew the old
        address and its approximate point cannot carry the offset over to the new address."""
        return f"stays.home:{self.pk}" if not self.moves else f"stays.home:{self.pk}:{self.moves}"


class HomeType(models.TextChoices):
    ENTIRE_HOME = "entire_home", "Entire home"
    PRIVATE_ROOM = "private_room", "Private room"


class CancellationPolicy(models.TextChoices):
    FLEXIBLE = "flexible", "Flexible"
    MODERATE = "moderate", "Moderate"
    STRICT = "strict", "Strict"


class ListingStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"


class Listing(models.Model):
    home = models.ForeignKey(Home, on_delete=models.PROTECT, related_name="listings")
    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    home_type = models.CharField(max_length=20, choices=HomeType.choices)
    status = models.CharField(max_length=10, choices=ListingStatus.choices, default="active")
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    capacity = models.PositiveSmallIntegerField()
    beds = models.PositiveSmallIntegerField()
    amenities = models.JSONField(default=list, blank=True)
    accessibility_notes = models.TextField(blank=True)
    house_rules = models.TextField(blank=True)
    nightly_price_cents = models.PositiveIntegerField()
    cleaning_fee_cents = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3)
    min_nights = models.PositiveSmallIntegerField(default=1)
    max_nights = models.PositiveSmallIntegerField(default=30)
    check_in_time = models.TimeField(default=dt.time(15, 0))
    check_out_time = models.TimeField(default=dt.time(11, 0))
    instant_book = models.BooleanField(default=False)
    cancellation_policy = models.CharField(
        max_length=10, choices=CancellationPolicy.choices, default=CancellationPolicy.MODERATE
    )
    licence_number = models.CharField(max_length=60, blank=True)
    ical_token = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["home"],
                condition=Q(home_type="entire_home", status="active"),
                name="stays_listing_one_entire_home",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(beds__gte=1),
                name="stays_listing_capacity_positive",
            ),
            models.CheckConstraint(
                condition=Q(nightly_price_cents__gte=1), name="stays_listing_price_positive"
            ),
            models.CheckConstraint(
                condition=Q(min_nights__gte=1) & Q(max_nights__gte=F("min_nights")),
                name="stays_listing_nights_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def nightly_price(self) -> Money:
        return Money(self.nightly_price_cents, self.currency)

    @property
    def cleaning_fee(self) -> Money:
        return Money(self.cleaning_fee_cents, self.currency)


class ListingPhoto(PublicPhoto):
    """A photo of a listing, stored through coop.images (public: anyone searching sees it; the
    pipeline strips GPS and other metadata, so it does not give the exact address away)."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="photos")

    class Meta(PublicPhoto.Meta):
        pass


class BlockSource(models.TextChoices):
    HOST = "host", "Blocked by the host"
    EXTERNAL = "external", "Booked elsewhere (imported calendar)"


class ExternalCalendar(models.Model):
    """An iCal feed from another platform; its events become blocked nights."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="calendars")
    url = models.URLField(max_length=500)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["listing", "url"], name="stays_externalcalendar_once")
        ]

    def __str__(self) -> str:
        return self.url


class BlockedRange(models.Model):
    """Nights [start, end) the listing is not available. End is the morning after the last."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="blocks")
    start = models.DateField()
    end = models.DateField()
    source = models.CharField(max_length=10, choices=BlockSource.choices)
    calendar = models.ForeignKey(
        ExternalCalendar, null=True, blank=True, on_delete=models.CASCADE, related_name="blocks"
    )

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="stays_block_dates_order"),
            models.CheckConstraint(
                condition=Q(source="external", calendar__isnull=False)
                | Q(source="host", calendar__isnull=True),
                name="stays_block_source_calendar",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start} - {self.end}"

    @property
    def nights(self) -> int:
        return (self.end - self.start).days


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for the host"
    AWAITING_PAYMENT = "awaiting_payment", "Waiting for payment"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"


# Statuses that hold nights while their `hold_until` is in the future; CONFIRMED holds for good.
HOLDING = (BookingStatus.REQUESTED, BookingStatus.AWAITING_PAYMENT)


class Booking(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="bookings")
    guest = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    check_in = models.DateField()
    check_out = models.DateField()
    guests = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=BookingStatus.choices)
    instant = models.BooleanField()
    hold_until = models.DateTimeField(null=True, blank=True)
    nights_cents = models.PositiveIntegerField()
    cleaning_cents = models.PositiveIntegerField()
    coop_fee_cents = models.PositiveIntegerField()
    community_share_cents = models.PositiveIntegerField()
    total_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    community_project = models.ForeignKey(CommunityProject, on_delete=models.PROTECT)
    payment = models.ForeignKey(
        "money.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refund_cents = models.PositiveIntegerField(default=0)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    host_paid_cents = models.PositiveIntegerField(default=0)
    host_paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-check_in", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(check_out__gt=F("check_in")), name="stays_booking_dates_order"
            ),
            models.CheckConstraint(
                condition=Q(guests__gte=1), name="stays_booking_guests_positive"
            ),
            models.CheckConstraint(
                condition=Q(
                    total_cents=F("nights_cents") + F("cleaning_cents") + F("coop_fee_cents")
                ),
                name="stays_booking_lines_sum",
            ),
            models.CheckConstraint(
                condition=Q(community_share_cents__lte=F("coop_fee_cents")),
                name="stays_booking_share_within_fee",
            ),
            models.CheckConstraint(
                condition=Q(refund_cents__lte=F("total_cents")),
                name="stays_booking_refund_within_total",
            ),
            # On PostgreSQL, migration 0002 adds `stays_booking_no_overlap` (an exclusion
            # constraint over the nights of confirmed bookings of one listing).
        ]
        indexes = [
            models.Index(fields=["listing", "status", "check_in"], name="stays_booking_calendar")
        ]

    def __str__(self) -> str:
        return f"Booking {self.pk}: {self.check_in} - {self.check_out}"

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days

    @property
    def host_share_cents(self) -> int:
        return self.nights_cents + self.cleaning_cents

    @property
    def host_paid(self) -> Money:
        return Money(self.host_paid_cents, self.currency)


class StayRecord(models.Model):
    """One confirmed stay, for the city's monthly activity report (EU Regulation 2024/1028)."""

    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="record")
    registration_number = models.CharField(max_length=60)
    zone_slug = models.CharField(max_length=60, blank=True)
    check_in = models.DateField()
    nights = models.PositiveSmallIntegerField()
    guests = models.PositiveSmallIntegerField()
    cancelled = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["check_in"]

    def __str__(self) -> str:
        return f"{self.registration_number} {self.check_in} x{self.nights}"


class ReviewRole(models.TextChoices):
    GUEST = "guest", "Guest reviews the stay"
    HOST = "host", "Host reviews the guest"


class Review(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=ReviewRole.choices)
    rating = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "role"], name="stays_review_once_per_side"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="stays_review_rating_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} review of booking {self.booking_id}"


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Being sent"
    SENT = "sent", "Sent, waiting for the payment provider"
    FAILED = "failed", "Refused by the payment provider"
    SUCCEEDED = "succeeded", "Refunded"


class BookingRefund(models.Model):
    """The money a cancelled (or no longer available) stay owes its guest, until it is back.

    The ledger books a refund only when Stripe says it succeeded (coop.money); this row is what
    the guest and the board see meanwhile, and what the retries work from. `refusals` counts
    the attempts Stripe answered with a refusal: each new one is a new request (its own
    idempotency key), while an attempt whose outcome we never learnt is repeated with the same
    key, so it cannot refund twice.
    """

    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="refund")
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=200)
    status = models.CharField(
        max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    refusals = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    stripe_refund = models.ForeignKey(
        "money.Refund", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gte=1), name="stays_bookingrefund_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sent", "failed", "succeeded"]),
                name="stays_bookingrefund_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="stays_bookingrefund_due")
        ]

    def __str__(self) -> str:
        return f"Refund of booking {self.booking_id}: {self.status}"

    @property
    def amount(self) -> Money:
        return Money(self.amount_cents, self.currency)
