"""Community projects: a neighbourhood need members propose, the board checks, governance approves.

The money of each project lives in the ledger, in the co-op's `community_project` account keyed by
the project's slug (stays' community shares and members' gifts are credited there, spending is
debited), so the slug never changes once a project exists.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from coop.geo.points import Point


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for the board"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class CommunityProject(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    neighbourhood = models.CharField(max_length=120, blank=True)
    # The amount the project needs; 0 for an open-ended project (no progress bar).
    amount_cents = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3, default="EUR")
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The decision: who on the board recorded it, when, and the members' ballot it follows.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_ballot = models.ForeignKey(
        "governance.Ballot",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gte=0),
                name="community_communityproject_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lng__isnull=True)
                | Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180),
                name="community_communityproject_point_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProjectStatus.values),
                name="community_communityproject_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def approved(self) -> bool:
        """Guests may direct their community share only to approved projects."""
        return self.status == ProjectStatus.APPROVED

    @property
    def place(self) -> Point | None:
        if self.lat is None or self.lng is None:
            return None
        return Point(self.lat, self.lng)


class ProjectSpend(models.Model):
    """Money the board paid out of a project's sub-account, with the receipt it paid against.

    One spend is one ledger transaction: the project's sub-account is debited and either the
    co-op's bank (clearing: the treasurer paid a supplier by transfer) or a member's payable
    account (a member is reimbursed in the next payout batch) is credited. Corrections are new
    ledger transactions, never edits, so these rows are never changed either.
    """

    project = models.ForeignKey(CommunityProject, on_delete=models.PROTECT, related_name="spends")
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    payee = models.CharField(max_length=160)
    # Set when the money goes to a member's payable account rather than out of the bank.
    payee_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.CharField(max_length=200)
    spent_on = models.DateField()
    # The invoice or receipt number, or the bank transfer's reference: what an auditor asks for.
    reference = models.CharField(max_length=120)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    ledger_transaction = models.OneToOneField(
        "money.LedgerTransaction", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["spent_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0), name="community_projectspend_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.project})"
