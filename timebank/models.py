"""Timebank rows: accounts, posts, exchanges, and the append-only ledger of transfers.

The ledger: a `Transfer` says who paid whom how many minutes and why; each transfer writes two
`Movement` rows (-m on the payer's account, +m on the payee's) in the same transaction. We store
movements rather than derive them because a member's history is then one indexed query on their
account (with the running balance after each line), and the zero-sum rule becomes a plain SUM the
check command can run. `TimeAccount.balance_minutes` is a cache of the sum of the account's
movements, written only under a row lock of both accounts (see services.transfer_write).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from coop.geo.points import Point


class AccountKind(models.TextChoices):
    MEMBER = "member", "Member"
    COMMUNITY = "community", "Community"


class TimeAccount(models.Model):
    """A member's hours, or (owner empty, kind community) the co-op's community account."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="time_account",
    )
    kind = models.CharField(max_length=16, choices=AccountKind.choices, default=AccountKind.MEMBER)
    balance_minutes = models.BigIntegerField(default=0)
    weekly_digest = models.BooleanField(
        default=True, help_text="Email a weekly digest of new posts near home."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=AccountKind.MEMBER, owner__isnull=False)
                | Q(kind=AccountKind.COMMUNITY, owner__isnull=True),
                name="timebank_timeaccount_owner_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(kind=AccountKind.COMMUNITY),
                name="timebank_timeaccount_one_community",
            ),
        ]

    def __str__(self) -> str:
        return "Community account" if self.owner_id is None else f"Account of {self.owner}"

    @property
    def is_community(self) -> bool:
        return self.kind == AccountKind.COMMUNITY


class PostKind(models.TextChoices):
    OFFER = "offer", "Offer"
    REQUEST = "request", "Request"


class Category(models.TextChoices):
    REPAIRS = "repairs", "Repairs"
    LESSONS = "lessons", "Lessons"
    CARE = "care", "Care"
    TRANSLATION = "translation", "Translation"
    GARDENING = "gardening", "Gardening"
    COOKING = "cooking", "Cooking"
    TECH = "tech", "Computers and phones"
    TRANSPORT = "transport", "Moving and transport"
    OTHER = "other", "Other"


class Post(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="timebank_posts"
    )
    kind = models.CharField(max_length=8, choices=PostKind.choices)
    title = models.CharField(max_length=120)
    description = models.TextField(max_length=4000, blank=True)
    category = models.CharField(max_length=16, choices=Category.choices)
    tags = models.JSONField(default=list, blank=True)
    # Exact place, shown only to the author; others see coop.geo.approximate's point.
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["lat", "lng"], name="timebank_post_location_idx"),
            models.Index(fields=["is_active", "category"], name="timebank_post_category_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lng__isnull=True)
                | Q(
                    lat__isnull=False,
                    lng__isnull=False,
                    lat__gte=-90,
                    lat__lte=90,
                    lng__gte=-180,
                    lng__lte=180,
                ),
                name="timebank_post_location_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=PostKind.values), name="timebank_post_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def location(self) -> Point | None:
        if self.lat is None or self.lng is None:
            return None
        return Point(self.lat, self.lng)


class ExchangeStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    ACCEPTED = "accepted", "Accepted"
    COMPLETED = "completed", "Done, waiting for confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    DISPUTED = "disputed", "Disputed"
    CANCELLED = "cancelled", "Cancelled"


class Exchange(models.Model):
    """Help given by `provider` to `receiver`, started from a post. Hours move on confirmation."""

    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="exchanges")
    provider = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The member who answered the post (the other party is the post's author).
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    minutes = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=ExchangeStatus.choices, default=ExchangeStatus.REQUESTED
    )
    dispute_reason = models.TextField(blank=True, max_length=2000)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "completed_at"], name="timebank_exchange_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gt=0), name="timebank_exchange_minutes_positive"
            ),
            models.CheckConstraint(
                condition=~Q(provider=models.F("receiver")),
                name="timebank_exchange_two_parties",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} helps {self.receiver}: {self.minutes} min"

    def is_party(self, user_id: int) -> bool:
        return user_id in (self.provider_id, self.receiver_id)

    def other_party_id(self, user_id: int) -> int:
        return self.receiver_id if user_id == self.provider_id else self.provider_id


class TransferKind(models.TextChoices):
    DIRECT = "direct", "Direct transfer"
    EXCHANGE = "exchange", "Exchange"
    COMMUNITY_GIFT = "community_gift", "Gift to the community"
    CHORE = "chore", "Community chore"


class Transfer(models.Model):
    """Append-only: minutes moved from one account to another. Corrections are new transfers."""

    from_account = models.ForeignKey(TimeAccount, on_delete=models.PROTECT, related_name="+")
    to_account = models.ForeignKey(TimeAccount, on_delete=models.PROTECT, related_name="+")
    amount_minutes = models.BigIntegerField()
    kind = models.CharField(max_length=16, choices=TransferKind.choices)
    note = models.CharField(max_length=500, blank=True)
    # Unique: an exchange or a chore pays once, however often its confirmation is retried.
    exchange = models.OneToOneField(
        Exchange, null=True, blank=True, on_delete=models.PROTECT, related_name="transfer"
    )
    chore = models.OneToOneField(
        "Chore", null=True, blank=True, on_delete=models.PROTECT, related_name="transfer"
    )
    # Who pressed the button: the payer, the receiver confirming, the board, or a coordinator.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set when a coordinator recorded it on behalf of a member who is not online.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_minutes__gt=0), name="timebank_transfer_amount_positive"
            ),
            models.CheckConstraint(
                condition=~Q(from_account=models.F("to_account")),
                name="timebank_transfer_two_accounts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount_minutes} min {self.from_account_id} -> {self.to_account_id}"


class Movement(models.Model):
    """One side of a transfer on one account: -m for the payer, +m for the payee."""

    account = models.ForeignKey(TimeAccount, on_delete=models.PROTECT, related_name="movements")
    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="movements")
    amount_minutes = models.BigIntegerField()
    balance_after_minutes = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["account", "-id"], name="timebank_movement_account_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount_minutes=0), name="timebank_movement_amount_nonzero"
            ),
            models.UniqueConstraint(
                fields=["transfer", "account"], name="timebank_movement_one_per_side"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount_minutes:+d} min on account {self.account_id}"


class Endorsement(models.Model):
    """A few words about the other party after a confirmed exchange; one per side."""

    exchange = models.ForeignKey(Exchange, on_delete=models.PROTECT, related_name="endorsements")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="timebank_endorsements"
    )
    text = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["exchange", "author"], name="timebank_endorsement_one_per_side"
            ),
            models.CheckConstraint(
                condition=~Q(author=models.F("subject")), name="timebank_endorsement_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author_id} endorses {self.subject_id}"


class Coordinator(models.Model):
    """A member appointed by the board to record exchanges for members who are not online."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="timebank_coordinator"
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Coordinator {self.member_id}"


class CoordinatorAction(models.Model):
    """What a coordinator did on a member's behalf, shown in that member's history."""

    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="timebank_recorded_for"
    )
    action = models.CharField(max_length=32)
    exchange = models.ForeignKey(Exchange, null=True, blank=True, on_delete=models.PROTECT)
    transfer = models.ForeignKey(Transfer, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.coordinator_id} {self.action} for {self.member_id}"


class ChoreStatus(models.TextChoices):
    OPEN = "open", "Looking for someone"
    OFFERED = "offered", "Offered to a member"
    ASSIGNED = "assigned", "Assigned"
    DONE = "done", "Done and paid"
    CANCELLED = "cancelled", "Cancelled"


class Chore(models.Model):
    """Work for the community (council, recycling, repairs of common goods), paid from the
    community account to whoever does it."""

    title = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=2000)
    minutes = models.PositiveIntegerField()
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=ChoreStatus.choices, default=ChoreStatus.OPEN)
    # The member the rota offered it to (status offered) or who took it (assigned, done).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A swap the assignee proposed, waiting for this member to accept.
    swap_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    declined_by = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gt=0), name="timebank_chore_minutes_positive"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[ChoreStatus.OPEN, ChoreStatus.CANCELLED])
                | Q(assignee__isnull=False),
                name="timebank_chore_assignee_when_taken",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def location(self) -> Point | None:
        if self.lat is None or self.lng is None:
            return None
        return Point(self.lat, self.lng)
