"""The co-op's ledger (accounts, transactions, entries) and the mirror of Stripe's state.

Sign convention: an entry's `amount_cents` is positive for a debit and negative for a credit, so
every transaction's entries sum to zero and an account's raw balance is the sum of its entries.
Liability, equity and revenue accounts therefore carry negative raw balances; `normal_sign`
turns them into the figure a person expects to read ("the co-op owes you €12").

Ledger rows are append-only: the database itself refuses UPDATE and DELETE on transactions and
entries (triggers from migration 0002), and on PostgreSQL a deferred constraint trigger refuses a
transaction whose entries do not sum to zero in one currency at COMMIT.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class AccountType(models.TextChoices):
    ASSET = "asset", "Asset"
    LIABILITY = "liability", "Liability"
    EQUITY = "equity", "Equity"
    REVENUE = "revenue", "Revenue"
    EXPENSE = "expense", "Expense"


class AccountKind(models.TextChoices):
    CLEARING = "clearing", "Co-op bank (Stripe clearing)"
    MEMBER_PAYABLE = "member_payable", "Payable to member"
    DEPOSITS_HELD = "deposits_held", "Deposits held"
    COMMUNITY_FUND = "community_fund", "Community fund"
    COMMUNITY_PROJECT = "community_project", "Community fund project"
    FEE_REVENUE = "fee_revenue", "Co-op fee revenue"
    SHARE_CAPITAL = "share_capital", "Member share capital"
    RESERVES = "reserves", "Reserves"
    SURPLUS = "surplus", "Surplus to distribute"
    PAYMENT_FEES = "payment_fees", "Payment processing fees"


# Each kind has one type; member-owned kinds need an owner, the others must not have one.
KIND_TYPES: dict[str, str] = {
    AccountKind.CLEARING: AccountType.ASSET,
    AccountKind.MEMBER_PAYABLE: AccountType.LIABILITY,
    AccountKind.DEPOSITS_HELD: AccountType.LIABILITY,
    AccountKind.COMMUNITY_FUND: AccountType.LIABILITY,
    AccountKind.COMMUNITY_PROJECT: AccountType.LIABILITY,
    AccountKind.FEE_REVENUE: AccountType.REVENUE,
    AccountKind.SHARE_CAPITAL: AccountType.EQUITY,
    AccountKind.RESERVES: AccountType.EQUITY,
    AccountKind.SURPLUS: AccountType.EQUITY,
    AccountKind.PAYMENT_FEES: AccountType.EXPENSE,
}
MEMBER_KINDS = frozenset({AccountKind.MEMBER_PAYABLE, AccountKind.SHARE_CAPITAL})
# Accounts that nearly every payment touches. Their cached balance is not updated inside the
# payment's transaction (that row would serialise every payment in the co-op); it is rolled up
# periodically from the append-only entries after a watermark instead.
HOT_KINDS = frozenset(
    {
        AccountKind.CLEARING,
        AccountKind.FEE_REVENUE,
        AccountKind.COMMUNITY_FUND,
        AccountKind.COMMUNITY_PROJECT,
        AccountKind.DEPOSITS_HELD,
        AccountKind.PAYMENT_FEES,
    }
)


class Account(models.Model):
    type = models.CharField(max_length=12, choices=AccountType.choices)
    kind = models.CharField(max_length=24, choices=AccountKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_accounts",
    )
    # Distinguishes sub-accounts of one kind, e.g. a community project's slug.
    key = models.SlugField(max_length=64, blank=True, default="")
    name = models.CharField(max_length=120)
    currency = models.CharField(max_length=3)
    # A cache: the sum of this account's entries with id <= balance_as_of_entry_id.
    balance_cents = models.BigIntegerField(default=0)
    balance_as_of_entry_id = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "owner", "key", "currency"],
                condition=Q(owner__isnull=False),
                name="money_account_unique_per_owner",
            ),
            models.UniqueConstraint(
                fields=["kind", "key", "currency"],
                condition=Q(owner__isnull=True),
                name="money_account_unique_coop",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=sorted(MEMBER_KINDS), owner__isnull=False)
                | (~Q(kind__in=sorted(MEMBER_KINDS)) & Q(owner__isnull=True)),
                name="money_account_owner_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(type__in=AccountType.values), name="money_account_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_hot(self) -> bool:
        return self.kind in HOT_KINDS

    @property
    def normal_sign(self) -> int:
        """+1 for debit-normal accounts (assets, expenses), -1 for the others."""
        return 1 if self.type in {AccountType.ASSET, AccountType.EXPENSE} else -1


class LedgerTransaction(models.Model):
    """One movement of money: two or more entries summing to zero. Never updated or deleted."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=200)
    # What caused it: the service ("shares", "stays", ...), the object ("stays.booking", "42"),
    # the member concerned, the Stripe event that confirmed it, the person who did it.
    service = models.SlugField(max_length=32)
    cause_type = models.CharField(max_length=64, blank=True, default="")
    cause_id = models.CharField(max_length=64, blank=True, default="")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    stripe_event_id = models.CharField(max_length=255, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # A correction points at what it reverses; a transaction is reversed at most once.
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    # Makes retried postings harmless: the same key never books twice.
    idempotency_key = models.CharField(max_length=128, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["service", "created_at"], name="money_tx_service_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.description}"


class Entry(models.Model):
    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["account", "id"], name="money_entry_account_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount_cents=0), name="money_entry_amount_nonzero"),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.amount_cents} {self.currency}"


# --- Stripe mirror ---------------------------------------------------------------------------


class StripeCustomer(models.Model):
    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stripe_customer"
    )
    stripe_id = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.stripe_id


class PaymentPurpose(models.TextChoices):
    SHARE = "share", "Member share"
    STAY = "stay", "Stay"
    RIDE = "ride", "Ride"
    DEPOSIT = "deposit", "Lending deposit"
    OTHER = "other", "Other"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the payer"
    AUTHORISED = "authorised", "Authorised (held)"
    SUCCEEDED = "succeeded", "Paid"
    CANCELED = "canceled", "Canceled"
    FAILED = "failed", "Failed"


class Payment(models.Model):
    """A PaymentIntent and how its confirmed amount is booked (`splits`)."""

    stripe_id = models.CharField(max_length=255, unique=True)
    client_secret = models.CharField(max_length=255)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments"
    )
    purpose = models.CharField(max_length=12, choices=PaymentPurpose.choices)
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    manual_capture = models.BooleanField(default=False)
    # What we asked Stripe to capture (deposits); the confirmed event says what it captured.
    capture_requested_cents = models.BigIntegerField(null=True, blank=True)
    captured_cents = models.BigIntegerField(default=0)
    refunded_cents = models.BigIntegerField(default=0)
    status = models.CharField(
        max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    service = models.SlugField(max_length=32)
    cause_type = models.CharField(max_length=64, blank=True, default="")
    cause_id = models.CharField(max_length=64, blank=True, default="")
    # [{"account": <Account pk>, "weight": int}]: the confirmed amount is allocated over these.
    splits = models.JSONField(default=list)
    ledger_transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Stripe's `created` of the last event applied, to ignore older, out-of-order events.
    last_event_created = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="money_payment_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(captured_cents__gte=0)
                & Q(captured_cents__lte=models.F("amount_cents")),
                name="money_payment_captured_in_range",
            ),
            models.CheckConstraint(
                condition=Q(refunded_cents__gte=0)
                & Q(refunded_cents__lte=models.F("captured_cents")),
                name="money_payment_refunded_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.stripe_id}"


class Refund(models.Model):
    stripe_id = models.CharField(max_length=255, unique=True)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_cents = models.BigIntegerField()
    status = models.CharField(max_length=24)
    reason = models.CharField(max_length=200, blank=True, default="")
    ledger_transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="money_refund_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.stripe_id


class StripeEventStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSED = "processed", "Processed"
    IGNORED = "ignored", "Ignored"
    FAILED = "failed", "Failed"


class StripeEvent(models.Model):
    """Every webhook event, stored by id before it is handled: a redelivery finds it here."""

    stripe_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    created = models.BigIntegerField()
    payload = models.JSONField()
    status = models.CharField(
        max_length=12, choices=StripeEventStatus.choices, default=StripeEventStatus.RECEIVED
    )
    error = models.TextField(blank=True, default="")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_id}"


# --- Shares and payouts ----------------------------------------------------------------------


class ShareRefundStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for the board"
    APPROVED = "approved", "Approved and refunded"
    REJECTED = "rejected", "Rejected"


class ShareRefundRequest(models.Model):
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="share_refund_requests"
    )
    status = models.CharField(
        max_length=12, choices=ShareRefundStatus.choices, default=ShareRefundStatus.REQUESTED
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    refund = models.OneToOneField(
        Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status="requested"),
                name="money_sharerefundrequest_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"Share refund for {self.member}"


class Payout(models.Model):
    """What a payout batch paid one member, booked payable -> clearing."""

    batch_id = models.SlugField(max_length=64)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payouts"
    )
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    ledger_transaction = models.OneToOneField(
        LedgerTransaction, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch_id", "member", "currency"], name="money_payout_once_per_batch"
            ),
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="money_payout_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"Payout {self.batch_id} to {self.member}"
