"""Items members (or the co-op's common store) lend, reservations, holds, wanted posts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coop.geo.points import Point
from coop.images.models import PublicPhoto, StoredImageFields


class Category(models.TextChoices):
    TOOLS = "tools", _("Tools")
    GARDEN = "garden", _("Garden")
    KITCHEN = "kitchen", _("Kitchen")
    CAMPING = "camping", _("Camping and outdoors")
    SPORTS = "sports", _("Sports")
    ELECTRONICS = "electronics", _("Electronics")
    CHILDREN = "children", _("Children")
    CLEANING = "cleaning", _("Cleaning")
    OTHER = "other", _("Other")


class Condition(models.TextChoices):
    NEW = "new", _("As new")
    GOOD = "good", _("Good")
    FAIR = "fair", _("Fair, shows wear")
    WORN = "worn", _("Worn but working")


# The longest gap an owner may keep between two loans (cleaning, charging, a rest).
MAX_BUFFER_HOURS = 24 * 7


class Item(models.Model):
    """A thing to lend. `owner` is null exactly when it belongs to the co-op's common store."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lending_items",
    )
    is_common_store = models.BooleanField(default=False)
    title = models.CharField(max_length=120)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    description = models.TextField(blank=True)
    manual = models.TextField(blank=True, help_text="Manual, notes and safety advice.")
    condition = models.CharField(max_length=10, choices=Condition.choices, default=Condition.GOOD)
    replacement_value_cents = models.PositiveIntegerField(default=0)
    deposit_cents = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="EUR")
    min_hours = models.PositiveIntegerField(default=1)
    max_hours = models.PositiveIntegerField(default=72)
    buffer_hours = models.PositiveIntegerField(default=0)
    auto_approve = models.BooleanField(default=False)
    pickup_lat = models.FloatField()
    pickup_lng = models.FloatField()
    # The exact place ("Carrer de Blai 12, 2-1, ring twice"): only the owner and approved
    # borrowers see it.
    pickup_details = models.CharField(max_length=300, blank=True)
    checkout_prompts = models.JSONField(default=list, blank=True)
    checkin_prompts = models.JSONField(default=list, blank=True)
    out_for_repair = models.BooleanField(default=False)
    safety_check_every_days = models.PositiveIntegerField(null=True, blank=True)
    last_safety_check_on = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["pickup_lat", "pickup_lng"], name="lending_item_pickup")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner__isnull=True, is_common_store=True))
                | Q(owner__isnull=False, is_common_store=False),
                name="lending_item_owner_or_common_store",
            ),
            models.CheckConstraint(
                condition=Q(min_hours__gte=1) & Q(max_hours__gte=models.F("min_hours")),
                name="lending_item_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(pickup_lat__gte=-90, pickup_lat__lte=90)
                & Q(pickup_lng__gte=-180, pickup_lng__lte=180),
                name="lending_item_pickup_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def pickup(self) -> Point:
        return Point(self.pickup_lat, self.pickup_lng)

    @property
    def safety_check_due_on(self) -> date | None:
        if self.safety_check_every_days is None:
            return None
        if self.last_safety_check_on is None:
            return timezone.localdate()  # never checked: due now
        return self.last_safety_check_on + timedelta(days=self.safety_check_every_days)

    @property
    def safety_check_overdue(self) -> bool:
        due = self.safety_check_due_on
        return due is not None and due <= timezone.localdate()

    @property
    def is_reservable(self) -> bool:
        return self.is_active and not self.out_for_repair and not self.safety_check_overdue

    def is_managed_by(self, user: object) -> bool:
        """The owner, or for the common store any board member."""
        pk = getattr(user, "pk", None)
        if self.owner_id is not None:
            return self.owner_id == pk
        return bool(getattr(user, "is_board", False))


class ReservationStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")
    PICKED_UP = "picked_up", _("Picked up")
    RETURNED = "returned", _("Returned")
    CLOSED = "closed", _("Closed")


# Reservations that hold the item's calendar (the exclusion constraint's WHERE clause).
HOLDING_STATUSES = (
    ReservationStatus.REQUESTED,
    ReservationStatus.APPROVED,
    ReservationStatus.PICKED_UP,
)


class Reservation(models.Model):
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="reservations")
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lending_reservations"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # ends_at plus the item's buffer when booked: the calendar is blocked over
    # [starts_at, blocked_until), and two holding reservations of one item never overlap there.
    blocked_until = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=ReservationStatus.choices, default=ReservationStatus.REQUESTED
    )
    checkout_note = models.TextField(blank=True)
    checkout_answers = models.JSONField(default=dict, blank=True)
    checkin_note = models.TextField(blank=True)
    checkin_answers = models.JSONField(default=dict, blank=True)
    checkin_condition = models.CharField(max_length=10, choices=Condition.choices, blank=True)
    damaged = models.BooleanField(default=False)
    picked_up_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    late_fee_cents = models.PositiveIntegerField(default=0)
    deposit_payment = models.ForeignKey(
        "money.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pickup_reminded_at = models.DateTimeField(null=True, blank=True)
    due_reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["item", "status", "starts_at"], name="lending_res_item_status"),
            models.Index(fields=["borrower", "status"], name="lending_res_borrower_status"),
        ]
        # On PostgreSQL the migration also adds the exclusion constraint
        # lending_reservation_no_overlap (see migrations/0002_reservation_no_overlap.py).
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="lending_reservation_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(blocked_until__gte=models.F("ends_at")),
                name="lending_reservation_block_covers_loan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def hours(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 3600)

    def is_overdue(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status == ReservationStatus.PICKED_UP and self.ends_at < now


class HoldStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered")
    CANCELLED = "cancelled", _("Cancelled")
    # The member did not reserve within the offer window; the next member was offered it.
    EXPIRED = "expired", _("Offer expired")


class Hold(models.Model):
    """A place in an item's waiting queue."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="holds")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lending_holds"
    )
    status = models.CharField(max_length=10, choices=HoldStatus.choices, default=HoldStatus.WAITING)
    created_at = models.DateTimeField(auto_now_add=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    # Fixed when the offer is made, so a vote that changes the window never shortens an
    # offer a member already has.
    offer_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["offer_expires_at"],
                condition=Q(status="offered"),
                name="lending_hold_offer_expiry",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "member"],
                condition=Q(status="waiting"),
                name="lending_hold_one_waiting_per_member",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False),
                name="lending_hold_offer_expires",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} waits for {self.item}"


class Wanted(models.Model):
    """ "I need a ... and cannot find one": feeds the collective purchase trigger."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lending_wanted"
    )
    title = models.CharField(max_length=120)
    category = models.CharField(max_length=20, choices=Category.choices)
    lat = models.FloatField()
    lng = models.FloatField()
    is_open = models.BooleanField(default=True)
    purchase = models.ForeignKey(
        "CollectivePurchase", null=True, blank=True, on_delete=models.SET_NULL, related_name="wants"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["lat", "lng"], name="lending_wanted_point")]

    def __str__(self) -> str:
        return self.title


class CollectivePurchase(models.Model):
    """A prompt to the co-op to buy one for the common store, raised by the published trigger."""

    category = models.CharField(max_length=20, choices=Category.choices)
    lat = models.FloatField()
    lng = models.FloatField()
    member_count = models.PositiveIntegerField()
    is_open = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member_count__gte=1), name="lending_collectivepurchase_has_members"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} ({self.member_count} members)"


class DamageStatus(models.TextChoices):
    FILED = "filed", _("Filed, waiting for the board")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class DamageReport(models.Model):
    """Filed by the owner at check-in; the board reviews it and decides what the deposit pays."""

    reservation = models.OneToOneField(
        Reservation, on_delete=models.CASCADE, related_name="damage_report"
    )
    description = models.TextField()
    claimed_cents = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=DamageStatus.choices, default=DamageStatus.FILED
    )
    awarded_cents = models.PositiveIntegerField(default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(claimed_cents__gte=1), name="lending_damagereport_claim_positive"
            ),
            models.CheckConstraint(
                condition=Q(awarded_cents__lte=models.F("claimed_cents")),
                name="lending_damagereport_award_within_claim",
            ),
        ]

    def __str__(self) -> str:
        return f"Damage on {self.reservation}"


class ItemPhoto(PublicPhoto):
    """A picture of an item, stored through coop.images (public: anyone browsing sees it)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="photos")

    class Meta(PublicPhoto.Meta):
        pass


class PhotoStage(models.TextChoices):
    CHECKOUT = "checkout", _("At check-out")
    CHECKIN = "checkin", _("At check-in")


class ConditionPhoto(StoredImageFields):
    """Evidence of an item's condition when a loan starts or ends. Private: only the borrower,
    the item's owner (the board for the common store) and the board see it."""

    reservation = models.ForeignKey(
        Reservation, on_delete=models.CASCADE, related_name="condition_photos"
    )
    stage = models.CharField(max_length=10, choices=PhotoStage.choices)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=["checkout", "checkin"]),
                name="lending_conditionphoto_stage_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} of {self.reservation}"
