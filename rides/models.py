"""Rides rows: drivers' offers (with their reach box for the matching index), bookings of seats,
regular commutes, saved searches, and the chat of a ride.

`Offer.seats_left` is the scarce quantity: it only changes under a row lock of the offer
(services.booking_request / booking_cancel), and a check constraint keeps it within 0..seats,
so the database itself refuses an oversold ride.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from coop.geo.points import Point
from coop.money.models import PaymentStatus

MAX_SEATS = 4


class FuelType(models.TextChoices):
    PETROL = "petrol", "Petrol"
    DIESEL = "diesel", "Diesel"
    HYBRID = "hybrid", "Hybrid"
    ELECTRIC = "electric", "Electric"
    LPG = "lpg", "Gas (LPG)"


class TripStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    BOARDING = "boarding", "Boarding"
    UNDER_WAY = "under_way", "Under way"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Commute(models.Model):
    """A regular trip entered once: weekdays and a time until a date; it creates the offers."""

    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ride_commutes"
    )
    origin_label = models.CharField(max_length=120)
    origin_lat = models.FloatField()
    origin_lng = models.FloatField()
    destination_label = models.CharField(max_length=120)
    destination_lat = models.FloatField()
    destination_lng = models.FloatField()
    weekdays = models.JSONField(default=list, help_text="ISO weekdays, 1 = Monday.")
    departure_time = models.TimeField()
    until = models.DateField()
    seats = models.PositiveSmallIntegerField()
    price_per_seat_cents = models.PositiveIntegerField()
    instant_booking = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gte=1, seats__lte=MAX_SEATS), name="rides_commute_seats_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.origin_label} → {self.destination_label} (regular)"


class Offer(models.Model):
    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ride_offers"
    )
    commute = models.ForeignKey(
        Commute, null=True, blank=True, on_delete=models.SET_NULL, related_name="offers"
    )
    origin_label = models.CharField(max_length=120)
    origin_lat = models.FloatField()
    origin_lng = models.FloatField()
    destination_label = models.CharField(max_length=120)
    destination_lat = models.FloatField()
    destination_lng = models.FloatField()
    # [{"label": ..., "lat": ..., "lng": ...}, ...] in driving order.
    waypoints = models.JSONField(default=list, blank=True)
    departs_at = models.DateTimeField()
    seats = models.PositiveSmallIntegerField()
    seats_left = models.PositiveSmallIntegerField()
    price_per_seat_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    distance_km = models.FloatField(
        help_text="Road kilometres of the route (great circle x road factor)."
    )
    # The driver's limits, the platform's at most (copied so the reach box below stays exact).
    max_detour_km = models.FloatField()
    max_detour_minutes = models.FloatField()
    max_detour_percent = models.FloatField()
    # Route bounding box widened by the furthest an acceptable pickup can lie (matching.reach_box).
    reach_min_lat = models.FloatField()
    reach_max_lat = models.FloatField()
    reach_min_lng = models.FloatField()
    reach_max_lng = models.FloatField()
    vehicle = models.CharField(max_length=80, blank=True)
    vehicle_seats = models.PositiveSmallIntegerField(default=5)
    fuel_type = models.CharField(max_length=16, choices=FuelType.choices, default=FuelType.PETROL)
    luggage = models.BooleanField(default=True)
    bike = models.BooleanField(default=False)
    max_two_in_back = models.BooleanField(default=False)
    pets = models.BooleanField(default=False)
    smoking = models.BooleanField(default=False)
    quiet = models.BooleanField(default=False)
    instant_booking = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=TripStatus.choices, default=TripStatus.SCHEDULED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["departs_at", "id"]
        indexes = [
            # The matcher's index: a departure window, then the reach box.
            models.Index(
                fields=["status", "departs_at", "reach_min_lat", "reach_max_lat"],
                name="rides_offer_window_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gte=1, seats__lte=MAX_SEATS), name="rides_offer_seats_range"
            ),
            models.CheckConstraint(
                condition=Q(seats_left__gte=0, seats_left__lte=F("seats")),
                name="rides_offer_seats_left_within_seats",
            ),
            models.CheckConstraint(
                condition=Q(origin_lat__gte=-90, origin_lat__lte=90)
                & Q(destination_lat__gte=-90, destination_lat__lte=90)
                & Q(origin_lng__gte=-180, origin_lng__lte=180)
                & Q(destination_lng__gte=-180, destination_lng__lte=180),
                name="rides_offer_points_valid",
            ),
            models.UniqueConstraint(
                fields=["commute", "departs_at"], name="rides_offer_one_per_commute_departure"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.origin_label} → {self.destination_label}"

    @property
    def origin(self) -> Point:
        return Point(self.origin_lat, self.origin_lng)

    @property
    def destination(self) -> Point:
        return Point(self.destination_lat, self.destination_lng)

    @property
    def waypoint_points(self) -> list[Point]:
        return [Point(w["lat"], w["lng"]) for w in self.waypoints]

    @property
    def route(self) -> tuple[Point, ...]:
        return (self.origin, *self.waypoint_points, self.destination)

    @property
    def is_open(self) -> bool:
        return self.status == TripStatus.SCHEDULED


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for the driver"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"
    COMPLETED = "completed", "Completed"
    EXPIRED = "expired", "Released: not paid in time"


# Bookings that hold seats.
HOLDING = (BookingStatus.REQUESTED, BookingStatus.ACCEPTED)
# Payment states in which the seat price is held on (or taken from) the passenger's card.
PAID_STATES = (PaymentStatus.AUTHORISED, PaymentStatus.SUCCEEDED)


def _booking_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


class Booking(models.Model):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="bookings")
    passenger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ride_bookings"
    )
    seats = models.PositiveSmallIntegerField()
    pickup_lat = models.FloatField()
    pickup_lng = models.FloatField()
    dropoff_lat = models.FloatField()
    dropoff_lng = models.FloatField()
    shared_km = models.FloatField()
    price_cents = models.PositiveIntegerField(help_text="For all the booked seats.")
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=16, choices=BookingStatus.choices, default=BookingStatus.REQUESTED
    )
    # The passenger gives this code to the driver at drop-off, or confirms with it.
    code = models.CharField(max_length=6, default=_booking_code)
    payment = models.ForeignKey(
        "money.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A priced booking holds its seats only until then unless the card hold is authorised
    # (rides.payment_hold_minutes); the expiry task then releases them.
    pay_by = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats__gte=1, seats__lte=MAX_SEATS), name="rides_booking_seats_range"
            ),
            models.UniqueConstraint(
                fields=["offer", "passenger"],
                condition=Q(status__in=["requested", "accepted"]),
                name="rides_booking_one_active_per_passenger",
            ),
        ]

    def __str__(self) -> str:
        return f"Booking {self.pk} of ride {self.offer_id}"

    @property
    def pickup(self) -> Point:
        return Point(self.pickup_lat, self.pickup_lng)

    @property
    def dropoff(self) -> Point:
        return Point(self.dropoff_lat, self.dropoff_lng)

    @property
    def holds_seats(self) -> bool:
        return self.status in HOLDING

    @property
    def is_paid(self) -> bool:
        """Nothing to pay, or the price is held on (or taken from) the passenger's card. Load
        `payment` with the booking (select_related) where this is read in a loop."""
        if self.price_cents == 0:
            return True
        return self.payment is not None and self.payment.status in PAID_STATES


class SearchAlert(models.Model):
    """A saved search: the member is notified when a matching ride is posted."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ride_alerts"
    )
    origin_lat = models.FloatField()
    origin_lng = models.FloatField()
    destination_lat = models.FloatField()
    destination_lng = models.FloatField()
    label = models.CharField(max_length=120, blank=True)
    seats = models.PositiveSmallIntegerField(default=1)
    # Only rides departing at these local times of day match (inclusive).
    earliest_time = models.TimeField(null=True, blank=True)
    latest_time = models.TimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.label or f"Saved search {self.pk}"

    @property
    def origin(self) -> Point:
        return Point(self.origin_lat, self.origin_lng)

    @property
    def destination(self) -> Point:
        return Point(self.destination_lat, self.destination_lng)


class Message(models.Model):
    """The chat of a ride between its driver and passengers."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["offer", "id"]

    def __str__(self) -> str:
        return f"Message {self.pk} on ride {self.offer_id}"


class PoolRunStatus(models.TextChoices):
    WORKING = "working", "Working out"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class PoolRun(models.Model):
    """One working-out of the commuter pool of a window, done by a background task (it takes
    seconds on a crowded morning): the board's page shows the latest one. `result` holds the
    proposal (places and whole-car plans) as the task stored it; nothing is booked by it."""

    depart_after = models.DateTimeField()
    depart_before = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=PoolRunStatus.choices, default=PoolRunStatus.WORKING
    )
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["depart_after", "depart_before", "-created_at"],
                name="rides_poolrun_window_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status=PoolRunStatus.WORKING, finished_at__isnull=True)
                    | (~Q(status=PoolRunStatus.WORKING) & Q(finished_at__isnull=False))
                ),
                name="rides_poolrun_finished_when_not_working",
            ),
            models.CheckConstraint(
                condition=Q(depart_before__gt=F("depart_after")),
                name="rides_poolrun_window_forwards",
            ),
        ]

    def __str__(self) -> str:
        return f"Pool run {self.pk} ({self.status})"
