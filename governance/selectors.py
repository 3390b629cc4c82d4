"""Reads of governance data."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from coop.exceptions import NotFound
from coop.members.models import User
from governance.models import (
    AnonymousBallot,
    AuditLogEntry,
    Ballot,
    BallotStatus,
    ParameterValue,
    Proposal,
    RecordedVote,
    RollEntry,
    VoterRecord,
)
from governance.parameters import ParameterSpec, parameter_specs

# Every service reads parameters on most requests, so the latest values are cached together
# (one query fills the cache) for at most a minute. parameter_set clears the cache when it
# writes and again on commit.
PARAMETER_CACHE_KEY = "governance:parameter_values"
PARAMETER_CACHE_SECONDS = 60
# Set on the connection while its open transaction has written a value: until it ends, what
# it reads must not go to the shared cache (other processes would see an uncommitted value).
WROTE_PARAMETER_FLAG = "_governance_wrote_parameter"


def _latest_parameter_values() -> dict[str, int]:
    latest: dict[str, int] = {}
    for key, value in ParameterValue.objects.order_by("key", "-id").values_list("key", "value"):
        latest.setdefault(key, value)
    return latest


def parameter_current_value(*, key: str) -> int | None:
    """The latest value set by a decision for `key`, or None while the default applies."""
    values: dict[str, int] | None = cache.get(PARAMETER_CACHE_KEY)
    if values is None:
        values = _latest_parameter_values()
        wrote = getattr(connection, WROTE_PARAMETER_FLAG, False)
        if wrote and not connection.in_atomic_block:
            setattr(connection, WROTE_PARAMETER_FLAG, False)  # that transaction has ended
            wrote = False
        if not wrote:
            cache.set(PARAMETER_CACHE_KEY, values, PARAMETER_CACHE_SECONDS)
    return values.get(key)


@dataclass(frozen=True)
class LiveParameter:
    spec: ParameterSpec
    value: int
    decision: ParameterValue | None  # None: the declared default applies


def parameter_live_list() -> list[LiveParameter]:
    """Every declared parameter with its live value and the decision that set it (one query)."""
    latest: dict[str, ParameterValue] = {}
    rows = ParameterValue.objects.select_related("proposal", "ballot").order_by("key", "-id")
    for row in rows:
        latest.setdefault(row.key, row)
    live = []
    for spec in parameter_specs():
        decision = latest.get(spec.key)
        live.append(
            LiveParameter(spec, spec.default if decision is None else decision.value, decision)
        )
    return live


def proposal_list() -> QuerySet[Proposal]:
    return Proposal.objects.select_related("author").annotate(
        sponsor_count=Count("sponsorships", distinct=True)
    )


def proposal_get(*, pk: int) -> Proposal:
    proposal = proposal_list().filter(pk=pk).first()
    if proposal is None:
        raise NotFound("No proposal with that id.")
    return proposal


def ballot_list(*, status: str | None = None) -> QuerySet[Ballot]:
    ballots = Ballot.objects.select_related("proposal").annotate(
        voted_count=Count("voters", distinct=True)
    )
    if status is not None:
        ballots = ballots.filter(status=status)
    return ballots


def ballot_list_for_member(*, member: User | None, status: str | None = None) -> QuerySet[Ballot]:
    ballots = ballot_list(status=status)
    if member is not None and member.is_authenticated:
        ballots = ballots.annotate(
            on_roll=Exists(RollEntry.objects.filter(ballot=OuterRef("pk"), member=member)),
            has_voted=Exists(VoterRecord.objects.filter(ballot=OuterRef("pk"), member=member)),
        )
    return ballots


def ballot_get(*, pk: int) -> Ballot:
    ballot = (
        Ballot.objects.select_related("proposal").prefetch_related("options").filter(pk=pk).first()
    )
    if ballot is None:
        raise NotFound("No ballot with that id.")
    return ballot


def ballot_turnout(*, ballot: Ballot) -> tuple[int, int]:
    """(voted, eligible) for the live counter."""
    voted = VoterRecord.objects.filter(ballot=ballot).count()
    eligible = ballot.eligible_count
    return voted, eligible


def ballot_is_on_roll(*, ballot: Ballot, member: User) -> bool:
    return RollEntry.objects.filter(ballot=ballot, member=member).exists()


def ballot_has_voted(*, ballot: Ballot, member: User) -> bool:
    return VoterRecord.objects.filter(ballot=ballot, member=member).exists()


def anonymous_ballots_published(*, ballot: Ballot) -> QuerySet[AnonymousBallot]:
    """The anonymous ballots of a closed ballot, in receipt-hash order (empty while open)."""
    if ballot.status != BallotStatus.CLOSED:
        return AnonymousBallot.objects.none()
    return AnonymousBallot.objects.filter(ballot=ballot).order_by("receipt_hash")


def recorded_votes_published(*, ballot: Ballot) -> QuerySet[RecordedVote]:
    """Who voted what on a closed ballot that is not secret (empty otherwise)."""
    if ballot.secret or ballot.status != BallotStatus.CLOSED:
        return RecordedVote.objects.none()
    return RecordedVote.objects.filter(ballot=ballot).select_related("member").order_by("id")


def audit_log_list() -> QuerySet[AuditLogEntry]:
    return AuditLogEntry.objects.order_by("-id")


def ballot_result_ready(*, pk: int) -> Ballot:
    """The ballot, counted first if its closing time has passed and no job has counted it yet."""
    from governance.services import ballot_close, ballot_open  # noqa: PLC0415 - services import us

    ballot = ballot_get(pk=pk)
    now = timezone.now()
    if ballot.status == BallotStatus.SCHEDULED and ballot.opens_at <= now:
        ballot_open(ballot=ballot, now=now)
    if ballot.status == BallotStatus.OPEN and ballot.closes_at <= now:
        ballot_close(ballot=ballot, now=now)
        ballot = ballot_get(pk=pk)
    return ballot
