"""Proposals, ballots, votes, platform parameter values and the board's audit log.

Secrecy by design: `VoterRecord` says who voted on a ballot, `AnonymousBallot` says what was
voted, and nothing joins them. An anonymous ballot has a random UUID key (no sequence to match
against the order of voter records), no timestamp, no member and no proxy; its receipt is stored
only as a SHA-256 hash of a random code that only the voter was shown. Lists order anonymous
ballots by that hash, which is as random as the code. At close every anonymous ballot is
rewritten in a random order under a new key, so not even the database's row metadata (on
PostgreSQL, xmin and physical position) ties it to its voter's record afterwards. While the
ballot is open, someone with direct access to the database could still match those; the
guarantee is against the application, its API and anyone reading the published data.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models


class ProposalKind(models.TextChoices):
    GENERAL = "general", "General"
    RULE_CHANGE = "rule_change", "Change to the rules"
    PARAMETER_CHANGE = "parameter_change", "Change to a platform parameter"


class ProposalStatus(models.TextChoices):
    SPONSORING = "sponsoring", "Gathering sponsors"
    SCHEDULED = "scheduled", "On a ballot"
    PASSED = "passed", "Passed"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Proposal(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals"
    )
    title = models.CharField(max_length=200)
    text = models.TextField(max_length=20_000)
    kind = models.CharField(max_length=20, choices=ProposalKind.choices)
    status = models.CharField(
        max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.SPONSORING
    )
    # Only for parameter changes: the key and the new value, validated by its ParameterSpec.
    parameter_key = models.CharField(max_length=100, blank=True)
    parameter_value = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    ~models.Q(kind=ProposalKind.PARAMETER_CHANGE)
                    | (~models.Q(parameter_key="") & models.Q(parameter_value__isnull=False))
                ),
                name="governance_proposal_parameter_change_has_value",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Sponsorship(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="sponsorships")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "member"], name="governance_sponsorship_once_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} sponsors {self.proposal_id}"


class Comment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment {self.pk} on proposal {self.proposal_id}"


class BallotKind(models.TextChoices):
    YES_NO = "yes_no", "Yes / no"
    APPROVAL = "approval", "Approval"
    RANKED = "ranked", "Ranked choice"
    BUDGET = "budget", "Participatory budget"


class BallotStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class PassThreshold(models.TextChoices):
    SIMPLE_MAJORITY = "simple_majority", "Simple majority"
    TWO_THIRDS = "two_thirds", "Two thirds"


class Ballot(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=5000)
    kind = models.CharField(max_length=10, choices=BallotKind.choices)
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="ballots"
    )
    seats = models.PositiveSmallIntegerField(default=1)
    # Approval ballots: how many options a member may approve (0: any number).
    max_approvals = models.PositiveSmallIntegerField(default=0)
    budget_cents = models.BigIntegerField(default=0)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    secret = models.BooleanField(default=True)
    allow_vote_change = models.BooleanField(default=True)
    quorum_percent = models.PositiveSmallIntegerField(default=0)
    pass_threshold = models.CharField(
        max_length=16, choices=PassThreshold.choices, default=PassThreshold.SIMPLE_MAJORITY
    )
    # Ranked ballots with seats > 1 that elect the board set `is_board` on the winners at close.
    elects_board = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=BallotStatus.choices, default=BallotStatus.SCHEDULED
    )
    # Published with the ballot before anyone votes: the lot that breaks ties (tally/tiebreak.py).
    tie_break_seed = models.CharField(max_length=64)
    eligible_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_soon_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opens_at", "-id"]
        indexes = [models.Index(fields=["status", "closes_at"], name="governance_ballot_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="governance_ballot_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=models.Q(quorum_percent__lte=100),
                name="governance_ballot_quorum_is_a_percentage",
            ),
            models.CheckConstraint(
                condition=models.Q(seats__gte=1), name="governance_ballot_at_least_one_seat"
            ),
            models.CheckConstraint(
                condition=models.Q(budget_cents__gte=0),
                name="governance_ballot_budget_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def method(self) -> str:
        if self.kind == BallotKind.RANKED:
            return "schulze" if self.seats == 1 else "stv"
        return str(self.kind)


class BallotOption(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()
    cost_cents = models.BigIntegerField(default=0)
    # Board elections: the member standing.
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "position"], name="governance_ballotoption_position_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(cost_cents__gte=0),
                name="governance_ballotoption_cost_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class RollEntry(models.Model):
    """A member eligible to vote on a ballot, frozen when the ballot opens."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="roll")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "member"], name="governance_roll_once")
        ]

    def __str__(self) -> str:
        return f"Member {self.member_id} on the roll of ballot {self.ballot_id}"


class VoterRecord(models.Model):
    """Who has voted on a ballot, never what. One per member and ballot."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="voters")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # True while the member's vote is one their proxy cast; their own vote replaces it.
    by_proxy = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "member"], name="governance_voterrecord_one_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"Member {self.member_id} voted on ballot {self.ballot_id}"


class AnonymousBallot(models.Model):
    """What one voter voted, with nothing that says who (see the module docstring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="anonymous_ballots")
    receipt_hash = models.CharField(max_length=64)
    content = models.JSONField()

    class Meta:
        ordering = ["receipt_hash"]
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "receipt_hash"], name="governance_anonymousballot_receipt_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Anonymous ballot {self.receipt_hash[:12]}"


class RecordedVote(models.Model):
    """How a member voted on a ballot that is not secret: published with their name.

    Secret ballots never have these rows; their votes exist only as anonymous ballots.
    """

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="recorded_votes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    receipt_hash = models.CharField(max_length=64)
    content = models.JSONField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "member"], name="governance_recordedvote_one_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"Member {self.member_id} on ballot {self.ballot_id}"


class Proxy(models.Model):
    """A member's delegation of their vote on one ballot to another member."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="proxies")
    grantor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "grantor"], name="governance_proxy_one_per_grantor"
            ),
            models.CheckConstraint(
                condition=~models.Q(grantor=models.F("holder")),
                name="governance_proxy_not_to_self",
            ),
        ]

    def __str__(self) -> str:
        return f"Proxy on ballot {self.ballot_id}"


class ProxyVote(models.Model):
    """A vote a proxy holder cast for a grantor, held apart until the ballot closes.

    The grantor's own vote replaces it (and deletes it). At close each remaining one becomes an
    anonymous ballot and the row is deleted, so after the count nothing links the grantor to
    it. While the ballot is open the link exists, as it does in the holder's head.
    """

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="proxy_votes")
    grantor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    receipt_hash = models.CharField(max_length=64)
    content = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "grantor"], name="governance_proxyvote_one_per_grantor"
            )
        ]

    def __str__(self) -> str:
        return f"Proxy vote on ballot {self.ballot_id}"


class Result(models.Model):
    ballot = models.OneToOneField(Ballot, on_delete=models.CASCADE, related_name="result")
    eligible = models.PositiveIntegerField()
    turnout = models.PositiveIntegerField()
    quorum_met = models.BooleanField()
    outcome = models.JSONField()
    computed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Result of ballot {self.ballot_id}"


class ParameterValue(models.Model):
    """One decided value of a platform parameter. The latest row per key is the live value."""

    key = models.CharField(max_length=100)
    value = models.BigIntegerField()
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ballot = models.ForeignKey(
        Ballot, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A value set outside a ballot (e.g. the founding assembly, entered by the board).
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key", "-id"]
        indexes = [models.Index(fields=["key", "-id"], name="governance_paramvalue_latest")]

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"


class AuditLogEntry(models.Model):
    """An append-only record of a board action, chained by hashes (see governance/audit.py)."""

    created_at = models.DateTimeField()
    # A plain number, not a foreign key: deleting a member must not rewrite a hashed row.
    actor_pk = models.PositiveIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=254)
    action = models.CharField(max_length=100)
    target = models.CharField(max_length=200)
    details = models.JSONField(default=dict)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        constraints = [
            # Two writers racing for the same tail would both chain to it; one loses and retries.
            models.UniqueConstraint(
                fields=["previous_hash"], name="governance_auditlogentry_chain_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Audit log entries are append-only; record a new entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Audit log entries are append-only.")
