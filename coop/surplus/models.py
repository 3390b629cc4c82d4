"""A fiscal year's close and each member's patronage line in it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class CloseStatus(models.TextChoices):
    SIMULATED = "simulated", "Simulated (before the vote)"
    APPROVED = "approved", "Approved by the board"
    PAID = "paid", "Paid"


class FiscalYearClose(models.Model):
    """The figures of one year's close, frozen when the board approves them."""

    year = models.PositiveSmallIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=10, choices=CloseStatus.choices, default=CloseStatus.SIMULATED
    )
    revenue_cents = models.BigIntegerField()
    costs_cents = models.BigIntegerField()
    surplus_cents = models.BigIntegerField()
    reserves_cents = models.BigIntegerField()
    community_cents = models.BigIntegerField()
    dividend_cents = models.BigIntegerField()
    reserves_basis_points = models.PositiveIntegerField()
    community_basis_points = models.PositiveIntegerField()
    # The weights in force at the simulation, by parameter key: a statement shows these.
    weights = models.JSONField(default=dict)
    total_points = models.BigIntegerField(default=0)
    simulated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    simulated_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    ledger_transaction = models.OneToOneField(
        "money.LedgerTransaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["year", "currency"], name="surplus_close_unique_year"),
            models.CheckConstraint(
                condition=Q(status__in=CloseStatus.values), name="surplus_close_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(reserves_cents__gte=0, community_cents__gte=0, dividend_cents__gte=0),
                name="surplus_close_parts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    surplus_cents__lte=0,
                    reserves_cents=0,
                    community_cents=0,
                    dividend_cents=0,
                )
                | Q(surplus_cents=F("reserves_cents") + F("community_cents") + F("dividend_cents")),
                name="surplus_close_parts_sum_to_surplus",
            ),
            models.CheckConstraint(
                condition=Q(status=CloseStatus.SIMULATED) | Q(approved_by__isnull=False),
                name="surplus_close_approved_has_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"Close of {self.year} ({self.status})"


class PatronageLine(models.Model):
    """One member's patronage in a close: their quantities, points and dividend."""

    close = models.ForeignKey(FiscalYearClose, on_delete=models.CASCADE, related_name="lines")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patronage_lines"
    )
    # Quantity per measure key (see coop/surplus/patronage.py MEASURES).
    quantities = models.JSONField(default=dict)
    points = models.BigIntegerField()
    dividend_cents = models.BigIntegerField()
    # The member's choice: take the dividend as share capital instead of a payout.
    to_capital = models.BooleanField(default=False)

    class Meta:
        ordering = ["close", "member_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["close", "member"], name="surplus_patronageline_unique_member"
            ),
            models.CheckConstraint(
                condition=Q(points__gte=0, dividend_cents__gte=0),
                name="surplus_patronageline_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.close_id}: {self.dividend_cents}"
