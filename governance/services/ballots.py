"""Scheduling and opening ballots, and the periodic job's steps."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from coop.exceptions import InvalidInput
from coop.members.models import MembershipStatus, User
from coop.notifications.services import notification_send
from governance.audit import audit_record
from governance.exceptions import (
    BoardOnly,
    NotSponsoring,
)
from governance.models import (
    Ballot,
    BallotKind,
    BallotOption,
    BallotStatus,
    PassThreshold,
    Proposal,
    ProposalKind,
    ProposalStatus,
    RollEntry,
    VoterRecord,
)
from governance.parameters import parameter_value
from governance.services.counting import ballot_close

TITLE_MAX = 200


@dataclass(frozen=True)
class OptionInput:
    label: str
    cost_cents: int = 0
    candidate: User | None = None


def _validate_ballot(  # noqa: PLR0912 - a flat list of independent checks
    *,
    title: str,
    kind: str,
    options: Sequence[OptionInput],
    seats: int,
    opens_at: datetime,
    closes_at: datetime,
    quorum_percent: int,
    pass_threshold: str,
    budget_cents: int,
    max_approvals: int,
    proposal: Proposal | None,
    elects_board: bool,
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if not title:
        problems["title"] = ["A title is required."]
    elif len(title) > TITLE_MAX:
        problems["title"] = [f"At most {TITLE_MAX} characters."]
    if kind not in BallotKind.values:
        problems["kind"] = [f"One of {', '.join(BallotKind.values)}."]
    labels = [option.label for option in options]
    if kind == BallotKind.YES_NO:
        if options:
            problems["options"] = [
                "A yes/no ballot has no options: members vote yes, no or abstain."
            ]
        if seats != 1:
            problems["seats"] = ["A yes/no ballot decides one question."]
    elif kind in BallotKind.values:
        if len(options) < 2:
            problems["options"] = ["At least two options."]
        elif any(not label or len(label) > TITLE_MAX for label in labels):
            problems["options"] = [f"Every option needs a label of at most {TITLE_MAX} characters."]
        elif len(set(labels)) != len(labels):
            problems["options"] = ["Each option appears once."]
        elif kind != BallotKind.BUDGET and not 1 <= seats < len(options):
            problems["seats"] = [f"Between 1 and {len(options) - 1} (fewer than the options)."]
    if kind == BallotKind.BUDGET:
        if budget_cents <= 0:
            problems["budget_cents"] = ["A budget ballot shares out a positive budget."]
        if any(option.cost_cents <= 0 for option in options):
            problems["options"] = ["Every project needs a positive cost_cents."]
    elif any(option.cost_cents for option in options):
        problems["options"] = ["Only budget ballots have costs."]
    if kind == BallotKind.APPROVAL and max_approvals and max_approvals < seats:
        problems["max_approvals"] = ["At least as many as the seats."]
    if max_approvals < 0 or max_approvals > max(len(options), 0):
        problems["max_approvals"] = ["At most the number of options (0 means any number)."]
    if closes_at <= opens_at:
        problems["closes_at"] = ["The ballot must close after it opens."]
    elif closes_at <= timezone.now():
        problems["closes_at"] = ["The closing time has already passed."]
    if not 0 <= quorum_percent <= 100:
        problems["quorum_percent"] = ["Between 0 and 100."]
    if pass_threshold not in PassThreshold.values:
        problems["pass_threshold"] = [f"One of {', '.join(PassThreshold.values)}."]
    if proposal is not None:
        if kind != BallotKind.YES_NO:
            problems["kind"] = ["A proposal is decided by a yes/no ballot."]
        if proposal.status != ProposalStatus.SPONSORING:
            problems["proposal"] = ["This proposal is already on a ballot or decided."]
    if elects_board and (
        kind != BallotKind.RANKED or any(option.candidate is None for option in options)
    ):
        problems["elects_board"] = ["A board election is a ranked ballot of member candidates."]
    return problems


@transaction.atomic
def ballot_create(
    *,
    title: str,
    kind: str,
    options: Sequence[OptionInput],
    opens_at: datetime,
    closes_at: datetime,
    created_by: User | None,
    seats: int = 1,
    secret: bool = True,
    allow_vote_change: bool = True,
    quorum_percent: int = 0,
    pass_threshold: str = PassThreshold.SIMPLE_MAJORITY,
    description: str = "",
    proposal: Proposal | None = None,
    budget_cents: int = 0,
    max_approvals: int = 0,
    elects_board: bool = False,
) -> Ballot:
    """Schedule a ballot. The caller has checked that `created_by` may (board_action_check);
    `created_by` is None when a proposal reaches its sponsors."""
    if created_by is not None and not created_by.is_board:
        raise BoardOnly()
    title = " ".join(title.split())
    if proposal is not None and proposal.kind == ProposalKind.RULE_CHANGE:
        # Changes to the rules always need two thirds, whatever was asked.
        pass_threshold = PassThreshold.TWO_THIRDS
    problems = _validate_ballot(
        title=title,
        kind=kind,
        options=options,
        seats=seats,
        opens_at=opens_at,
        closes_at=closes_at,
        quorum_percent=quorum_percent,
        pass_threshold=pass_threshold,
        budget_cents=budget_cents,
        max_approvals=max_approvals,
        proposal=proposal,
        elects_board=elects_board,
    )
    if problems:
        raise InvalidInput("The ballot is not valid.", fields=problems)
    if proposal is not None:
        changed = Proposal.objects.filter(pk=proposal.pk, status=ProposalStatus.SPONSORING).update(
            status=ProposalStatus.SCHEDULED
        )
        if not changed:
            raise NotSponsoring()
    ballot = Ballot.objects.create(
        title=title,
        description=description.strip(),
        kind=kind,
        proposal=proposal,
        seats=seats,
        max_approvals=max_approvals,
        budget_cents=budget_cents if kind == BallotKind.BUDGET else 0,
        opens_at=opens_at,
        closes_at=closes_at,
        secret=secret,
        allow_vote_change=allow_vote_change,
        quorum_percent=quorum_percent,
        pass_threshold=pass_threshold,
        elects_board=elects_board,
        tie_break_seed=secrets.token_hex(16),
        created_by=created_by,
    )
    BallotOption.objects.bulk_create(
        BallotOption(
            ballot=ballot,
            label=option.label,
            position=index,
            cost_cents=option.cost_cents,
            candidate=option.candidate,
        )
        for index, option in enumerate(options)
    )
    audit_record(
        actor=created_by,
        action="governance.ballot_schedule",
        target=f"ballot:{ballot.pk}",
        details={"title": ballot.title, "kind": kind, "opens_at": opens_at.isoformat()},
    )
    if opens_at <= timezone.now():
        ballot_open(ballot=ballot)
        ballot.refresh_from_db()
    return ballot


@transaction.atomic
def ballot_open(*, ballot: Ballot, now: datetime | None = None) -> bool:
    """Open a due ballot and freeze its roll: the members in good standing right now.

    Idempotent: a guarded update lets exactly one caller open it; the others return False.
    """
    now = now or timezone.now()
    changed = Ballot.objects.filter(
        pk=ballot.pk, status=BallotStatus.SCHEDULED, opens_at__lte=now
    ).update(status=BallotStatus.OPEN, opened_at=now)
    if not changed:
        return False
    members = User.objects.filter(is_active=True, membership_status=MembershipStatus.MEMBER)
    entries = [
        RollEntry(ballot=ballot, member_id=pk) for pk in members.values_list("pk", flat=True)
    ]
    RollEntry.objects.bulk_create(entries, batch_size=1000)
    Ballot.objects.filter(pk=ballot.pk).update(eligible_count=len(entries))
    ballot.status, ballot.opened_at, ballot.eligible_count = BallotStatus.OPEN, now, len(entries)
    return True


def _ensure_current(ballot: Ballot, now: datetime) -> Ballot:
    """Open or close a ballot whose time has come before anyone acts on it (the periodic job
    does this too; whoever comes first wins the guarded update)."""
    if ballot.status == BallotStatus.SCHEDULED and ballot.opens_at <= now:
        ballot_open(ballot=ballot, now=now)
        ballot.refresh_from_db()
    if ballot.status == BallotStatus.OPEN and ballot.closes_at <= now:
        ballot_close(ballot=ballot, now=now)
        ballot.refresh_from_db()
    return ballot


def ballots_open_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    due = Ballot.objects.filter(status=BallotStatus.SCHEDULED, opens_at__lte=now)
    return sum(ballot_open(ballot=ballot, now=now) for ballot in due)


def ballots_close_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    due = Ballot.objects.filter(status=BallotStatus.OPEN, closes_at__lte=now)
    return sum(ballot_close(ballot=ballot, now=now) is not None for ballot in due)


def ballots_remind_closing_soon(*, now: datetime | None = None) -> int:
    """Remind members on the roll who have not voted, once per ballot, before it closes."""
    now = now or timezone.now()
    window = timedelta(hours=parameter_value("governance.closing_soon_hours"))
    sent = 0
    for ballot in Ballot.objects.filter(
        status=BallotStatus.OPEN,
        closes_at__gt=now,
        closes_at__lte=now + window,
        closing_soon_sent_at__isnull=True,
    ):
        with transaction.atomic():
            # The guarded update makes the reminder go out once even if two workers run.
            if not Ballot.objects.filter(pk=ballot.pk, closing_soon_sent_at__isnull=True).update(
                closing_soon_sent_at=now
            ):
                continue
            voted = VoterRecord.objects.filter(ballot=ballot).values("member_id")
            waiting = User.objects.filter(
                pk__in=RollEntry.objects.filter(ballot=ballot).values("member_id")
            ).exclude(pk__in=voted)
            for member in waiting:
                notification_send(
                    recipient=member,
                    kind="governance.ballot_closing_soon",
                    title=f"Closing soon, you have not voted yet: {ballot.title}"[:200],
                    url=f"/governance/ballots/{ballot.pk}/",
                )
                sent += 1
    return sent
