"""Closing a ballot: counting it, publishing the result and applying what it decided."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from coop.exceptions import InvalidInput, NotFound
from coop.members.models import MembershipStatus, User
from coop.notifications.services import notification_send
from governance import selectors
from governance.audit import audit_record
from governance.models import (
    AnonymousBallot,
    Ballot,
    BallotKind,
    BallotOption,
    BallotStatus,
    ParameterValue,
    Proposal,
    ProposalKind,
    ProposalStatus,
    ProxyVote,
    Result,
    RollEntry,
    VoterRecord,
)
from governance.parameters import parameter_spec
from governance.tally import approval, budget, schulze, stv, yes_no


def _quorum_met(ballot: Ballot, turnout: int) -> bool:
    return (
        ballot.eligible_count > 0 and turnout * 100 >= ballot.quorum_percent * ballot.eligible_count
    )


def ballot_count(*, ballot: Ballot, contents: list[dict[str, Any]]) -> dict[str, Any]:
    """Run the ballot's counting method over anonymous contents (no database access)."""
    options = list(ballot.options.all())
    option_ids = [option.pk for option in options]
    seed = ballot.tie_break_seed
    if ballot.kind == BallotKind.YES_NO:
        return {"method": "yes_no", **yes_no.tally(contents, threshold=ballot.pass_threshold)}
    if ballot.kind == BallotKind.APPROVAL:
        result = approval.tally(option_ids, contents, seats=ballot.seats, seed=seed)
        return {"method": "approval", **result}
    if ballot.kind == BallotKind.BUDGET:
        costs = {option.pk: option.cost_cents for option in options}
        result = budget.tally(
            option_ids, contents, costs_cents=costs, budget_cents=ballot.budget_cents, seed=seed
        )
        return {"method": "budget", **result}
    if ballot.seats == 1:
        return {"method": "schulze", **schulze.tally(option_ids, contents, seed=seed)}
    return {"method": "stv", **stv.tally(option_ids, contents, seats=ballot.seats, seed=seed)}


@transaction.atomic
def ballot_close(*, ballot: Ballot, now: datetime | None = None) -> Result | None:
    """Close a ballot whose time is up, count it and apply what it decided. Idempotent."""
    now = now or timezone.now()
    changed = Ballot.objects.filter(
        pk=ballot.pk, status=BallotStatus.OPEN, closes_at__lte=now
    ).update(status=BallotStatus.CLOSED, closed_at=now)
    if not changed:
        return None
    ballot.refresh_from_db()
    # Every anonymous ballot is written afresh, proxy votes included, in a random order under
    # new keys: the database's own row metadata (PostgreSQL's xmin and physical position)
    # would otherwise tie each one to the transaction that wrote its voter's record.
    anonymous = AnonymousBallot.objects.filter(ballot=ballot)
    rows = list(anonymous.values_list("receipt_hash", "content"))
    rows += list(ProxyVote.objects.filter(ballot=ballot).values_list("receipt_hash", "content"))
    random.SystemRandom().shuffle(rows)
    anonymous.delete()
    ProxyVote.objects.filter(ballot=ballot).delete()
    AnonymousBallot.objects.bulk_create(
        AnonymousBallot(ballot=ballot, receipt_hash=hashed, content=content)
        for hashed, content in rows
    )
    contents = list(AnonymousBallot.objects.filter(ballot=ballot).values_list("content", flat=True))
    turnout = VoterRecord.objects.filter(ballot=ballot).count()
    quorum_met = _quorum_met(ballot, turnout)
    outcome = ballot_count(ballot=ballot, contents=contents)
    if not quorum_met:
        # The count is published, but it decides nothing.
        outcome["counted_winners"] = outcome.get("winners", [])
        outcome["winners"] = []
        if ballot.kind == BallotKind.YES_NO:
            outcome["counted_passed"] = outcome["passed"]
            outcome["passed"] = False
    outcome["valid"] = quorum_met
    result = Result.objects.create(
        ballot=ballot,
        eligible=ballot.eligible_count,
        turnout=turnout,
        quorum_met=quorum_met,
        outcome=outcome,
    )
    _apply(ballot, result)
    ballot_pk, title = ballot.pk, ballot.title
    roll = list(RollEntry.objects.filter(ballot=ballot).values_list("member_id", flat=True))

    def announce() -> None:
        for member in User.objects.filter(pk__in=roll):
            notification_send(
                recipient=member,
                kind="governance.ballot_result",
                title=f"Results are out: {title}"[:200],
                url=f"/governance/ballots/{ballot_pk}/result/",
            )

    transaction.on_commit(announce, robust=True)
    return result


def _apply(ballot: Ballot, result: Result) -> None:
    """What a counted ballot changes: its proposal's status, a parameter, the board."""
    outcome = result.outcome
    if ballot.proposal_id is not None:
        proposal = ballot.proposal
        assert proposal is not None
        passed = bool(outcome.get("passed"))
        Proposal.objects.filter(pk=proposal.pk, status=ProposalStatus.SCHEDULED).update(
            status=ProposalStatus.PASSED if passed else ProposalStatus.REJECTED
        )
        if passed and proposal.kind == ProposalKind.PARAMETER_CHANGE:
            try:
                # A savepoint: a value the parameter no longer allows must not undo the count.
                with transaction.atomic():
                    parameter_set(
                        key=proposal.parameter_key,
                        value=int(proposal.parameter_value or 0),
                        proposal=proposal,
                        ballot=ballot,
                    )
            except (InvalidInput, NotFound) as error:
                result.outcome = {**outcome, "applied": False, "not_applied_reason": error.message}
                result.save(update_fields=["outcome"])
                audit_record(
                    actor=None,
                    action="governance.parameter_not_applied",
                    target=f"parameter:{proposal.parameter_key}",
                    details={"ballot": ballot.pk, "reason": error.message},
                )
    if ballot.elects_board and outcome["winners"]:
        elected = list(
            BallotOption.objects.filter(pk__in=outcome["winners"]).values_list(
                "candidate_id", flat=True
            )
        )
        User.objects.filter(is_board=True).exclude(pk__in=elected).update(is_board=False)
        User.objects.filter(pk__in=elected, membership_status=MembershipStatus.MEMBER).update(
            is_board=True
        )
        audit_record(
            actor=None,
            action="governance.board_elected",
            target=f"ballot:{ballot.pk}",
            details={"members": sorted(pk for pk in elected if pk is not None)},
        )


@transaction.atomic
def parameter_set(
    *,
    key: str,
    value: int,
    proposal: Proposal | None = None,
    ballot: Ballot | None = None,
    note: str = "",
) -> ParameterValue:
    """Record a new live value for a parameter, with the decision that set it."""
    parameter_spec(key).validate(value)
    setattr(connection, selectors.WROTE_PARAMETER_FLAG, True)
    cache.delete(selectors.PARAMETER_CACHE_KEY)

    def forget_cached_values() -> None:
        setattr(connection, selectors.WROTE_PARAMETER_FLAG, False)
        cache.delete(selectors.PARAMETER_CACHE_KEY)

    transaction.on_commit(forget_cached_values, robust=True)
    row = ParameterValue.objects.create(
        key=key, value=value, proposal=proposal, ballot=ballot, note=note
    )
    audit_record(
        actor=None,
        action="governance.parameter_set",
        target=f"parameter:{key}",
        details={
            "value": value,
            "proposal": proposal.pk if proposal else None,
            "ballot": ballot.pk if ballot else None,
        },
    )
    return row
