"""`/api/v1/governance`: proposals, ballots, votes, results and the live parameters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from coop.api import error_responses
from coop.exceptions import InvalidInput
from coop.members.models import MembershipStatus, User
from coop.pagination import PageNumberPagination
from governance import selectors, services
from governance.board import board_action_check
from governance.models import Ballot, BallotStatus, Comment, Proposal
from governance.parameters import parameter_value
from governance.schemas import (
    AuditEntryOut,
    BallotIn,
    BallotOut,
    CommentIn,
    CommentOut,
    OptionIn,
    ParameterOut,
    ProposalIn,
    ProposalOut,
    ProxyIn,
    ProxyOut,
    PublishedBallotOut,
    ResultOut,
    VoteIn,
    VoteOut,
)
from governance.tally.tiebreak import RULE

router = Router(tags=["governance"])


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _member(member_id: int, field: str) -> User:
    member = User.objects.filter(pk=member_id, membership_status=MembershipStatus.MEMBER).first()
    if member is None:
        raise InvalidInput(fields={field: ["No member with that id."]})
    return member


def proposal_out(proposal: Proposal, *, sponsors_needed: int) -> dict[str, Any]:
    ballots = list(proposal.ballots.all())
    return {
        "id": proposal.pk,
        "title": proposal.title,
        "text": proposal.text,
        "kind": proposal.kind,
        "status": proposal.status,
        "author": proposal.author_id,
        "author_name": proposal.author.display_name,
        "parameter_key": proposal.parameter_key,
        "parameter_value": proposal.parameter_value,
        "sponsors": (
            proposal.sponsor_count
            if hasattr(proposal, "sponsor_count")
            else proposal.sponsorships.count()
        ),
        "sponsors_needed": sponsors_needed,
        "ballot": ballots[0].pk if ballots else None,
        "created_at": proposal.created_at,
    }


@router.get(
    "/proposals",
    response={200: list[ProposalOut], **error_responses(400, 401)},
    summary="Proposals, newest first",
)
@paginate(PageNumberPagination)
def proposal_list(request: HttpRequest) -> list[dict[str, Any]]:
    needed = parameter_value("governance.sponsor_threshold")
    # Paginated lists of dicts: build rows from a bounded window, see PageNumberPagination.
    return _LazyRows(selectors.proposal_list().prefetch_related("ballots"), needed)  # type: ignore[return-value]


class _LazyRows:
    """Turns a sliced queryset into API rows, so pagination still fetches one page only."""

    def __init__(self, queryset: QuerySet[Proposal], needed: int) -> None:
        self.queryset, self.needed = queryset, needed

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [proposal_out(p, sponsors_needed=self.needed) for p in self.queryset[window]]


@router.post(
    "/proposals",
    response={201: ProposalOut, **error_responses(400, 401, 403)},
    summary="Draft a proposal; it gathers sponsors",
)
def proposal_create(request: HttpRequest, payload: ProposalIn) -> Status[Any]:
    proposal = services.proposal_create(author=_user(request), **payload.model_dump())
    proposal = selectors.proposal_get(pk=proposal.pk)
    needed = parameter_value("governance.sponsor_threshold")
    return Status(201, proposal_out(proposal, sponsors_needed=needed))


@router.get(
    "/proposals/{proposal_id}",
    response={200: ProposalOut, **error_responses(401, 404)},
    summary="One proposal",
)
def proposal_get(request: HttpRequest, proposal_id: int) -> dict[str, Any]:
    proposal = selectors.proposal_get(pk=proposal_id)
    return proposal_out(proposal, sponsors_needed=parameter_value("governance.sponsor_threshold"))


@router.post(
    "/proposals/{proposal_id}/sponsor",
    response={200: ProposalOut, **error_responses(400, 401, 403, 404, 409)},
    summary="Sponsor a proposal; at the threshold it goes to a ballot",
)
def proposal_sponsor(request: HttpRequest, proposal_id: int) -> dict[str, Any]:
    proposal = selectors.proposal_get(pk=proposal_id)
    services.proposal_sponsor(proposal=proposal, member=_user(request))
    proposal = selectors.proposal_get(pk=proposal_id)
    return proposal_out(proposal, sponsors_needed=parameter_value("governance.sponsor_threshold"))


@router.get(
    "/proposals/{proposal_id}/comments",
    response={200: list[CommentOut], **error_responses(400, 401, 404)},
    summary="The discussion of a proposal, oldest first",
)
@paginate(PageNumberPagination)
def comment_list(request: HttpRequest, proposal_id: int) -> QuerySet[Comment]:
    proposal = selectors.proposal_get(pk=proposal_id)
    return proposal.comments.select_related("author")


@router.post(
    "/proposals/{proposal_id}/comments",
    response={201: CommentOut, **error_responses(400, 401, 403, 404)},
    summary="Add to the discussion of a proposal",
)
def comment_create(request: HttpRequest, proposal_id: int, payload: CommentIn) -> Status[Any]:
    proposal = selectors.proposal_get(pk=proposal_id)
    comment = services.proposal_comment(proposal=proposal, author=_user(request), text=payload.text)
    return Status(201, comment)


def ballot_out(ballot: Ballot) -> dict[str, Any]:
    voted = getattr(ballot, "voted_count", None)
    if voted is None:
        voted = ballot.voters.count()
    return {
        "id": ballot.pk,
        "title": ballot.title,
        "description": ballot.description,
        "kind": ballot.kind,
        "method": ballot.method,
        "status": ballot.status,
        "seats": ballot.seats,
        "max_approvals": ballot.max_approvals,
        "budget_cents": ballot.budget_cents,
        "currency": settings.COOP_CURRENCY,
        "options": [
            {"id": o.pk, "label": o.label, "cost_cents": o.cost_cents, "candidate": o.candidate_id}
            for o in ballot.options.all()
        ],
        "opens_at": ballot.opens_at,
        "closes_at": ballot.closes_at,
        "secret": ballot.secret,
        "allow_vote_change": ballot.allow_vote_change,
        "quorum_percent": ballot.quorum_percent,
        "pass_threshold": ballot.pass_threshold,
        "proposal": ballot.proposal_id,
        "elects_board": ballot.elects_board,
        "tie_break_seed": ballot.tie_break_seed,
        "tie_break_rule": RULE,
        "eligible": ballot.eligible_count,
        "voted": voted,
    }


@router.get(
    "/ballots",
    response={200: list[BallotOut], **error_responses(400, 401)},
    summary="Ballots, latest opening first; filter with status=scheduled|open|closed",
)
@paginate(PageNumberPagination)
def ballot_list(request: HttpRequest, status: str | None = None) -> Any:
    if status is not None and status not in BallotStatus.values:
        raise InvalidInput(fields={"status": [f"One of {', '.join(BallotStatus.values)}."]})
    return _BallotRows(selectors.ballot_list(status=status).prefetch_related("options"))


class _BallotRows:
    def __init__(self, queryset: QuerySet[Ballot]) -> None:
        self.queryset = queryset

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [ballot_out(ballot) for ballot in self.queryset[window]]


@router.post(
    "/ballots",
    response={201: BallotOut, **error_responses(400, 401, 403, 409)},
    summary="Schedule a ballot (board)",
)
def ballot_create(request: HttpRequest, payload: BallotIn) -> Status[Any]:
    board_action_check(user=request.user, request=request)
    options = []
    for index, option in enumerate(payload.options):
        if isinstance(option, str):
            options.append(services.OptionInput(label=" ".join(option.split())))
        else:
            assert isinstance(option, OptionIn)
            candidate = (
                _member(option.candidate, f"options.{index}.candidate")
                if option.candidate is not None
                else None
            )
            options.append(
                services.OptionInput(
                    label=" ".join(option.label.split()),
                    cost_cents=option.cost_cents,
                    candidate=candidate,
                )
            )
    proposal = selectors.proposal_get(pk=payload.proposal) if payload.proposal else None
    ballot = services.ballot_create(
        title=payload.title,
        kind=payload.kind,
        options=options,
        seats=payload.seats,
        opens_at=payload.opens_at or timezone.now(),
        closes_at=payload.closes_at,
        secret=payload.secret,
        allow_vote_change=payload.allow_vote_change,
        quorum_percent=payload.quorum_percent,
        pass_threshold=payload.pass_threshold,
        description=payload.description,
        proposal=proposal,
        budget_cents=payload.budget_cents,
        max_approvals=payload.max_approvals,
        elects_board=payload.elects_board,
        created_by=_user(request),
    )
    return Status(201, ballot_out(selectors.ballot_get(pk=ballot.pk)))


@router.get(
    "/ballots/{ballot_id}",
    response={200: BallotOut, **error_responses(401, 404)},
    summary="One ballot, with its option ids",
)
def ballot_get(request: HttpRequest, ballot_id: int) -> dict[str, Any]:
    return ballot_out(selectors.ballot_get(pk=ballot_id))


@router.post(
    "/ballots/{ballot_id}/votes",
    response={201: VoteOut, **error_responses(400, 401, 403, 404, 409)},
    summary="Vote (or change my vote, giving the earlier receipt)",
)
def vote_cast(request: HttpRequest, ballot_id: int, payload: VoteIn) -> Status[Any]:
    ballot = selectors.ballot_get(pk=ballot_id)
    content = payload.model_dump(include={"choice", "approvals", "ranking"}, exclude_none=True)
    grantor = (
        _member(payload.on_behalf_of, "on_behalf_of") if payload.on_behalf_of is not None else None
    )
    cast = services.vote_cast(
        ballot=ballot,
        voter=_user(request),
        content=content,
        previous_receipt=payload.receipt,
        on_behalf_of=grantor,
    )
    return Status(201, cast)


@router.post(
    "/ballots/{ballot_id}/proxy",
    response={201: ProxyOut, **error_responses(400, 401, 403, 404, 409)},
    summary="Name another member to vote for me on this ballot",
)
def proxy_grant(request: HttpRequest, ballot_id: int, payload: ProxyIn) -> Status[Any]:
    ballot = selectors.ballot_get(pk=ballot_id)
    proxy = services.proxy_grant(
        ballot=ballot, grantor=_user(request), holder=_member(payload.holder, "holder")
    )
    return Status(
        201, {"ballot": proxy.ballot_id, "grantor": proxy.grantor_id, "holder": proxy.holder_id}
    )


@router.get(
    "/ballots/{ballot_id}/result",
    response={200: ResultOut, **error_responses(401, 404)},
    summary="The result: computed once the ballot has closed",
)
def ballot_result(request: HttpRequest, ballot_id: int) -> dict[str, Any]:
    ballot = selectors.ballot_result_ready(pk=ballot_id)
    result = getattr(ballot, "result", None) if ballot.status == BallotStatus.CLOSED else None
    if result is None:
        voted, eligible = selectors.ballot_turnout(ballot=ballot)
        return {
            "status": ballot.status,
            "eligible": eligible,
            "turnout": voted,
            "quorum_percent": ballot.quorum_percent,
            "quorum_met": None,
            "outcome": None,
            "rounds": None,
        }
    return {
        "status": ballot.status,
        "eligible": result.eligible,
        "turnout": result.turnout,
        "quorum_percent": ballot.quorum_percent,
        "quorum_met": result.quorum_met,
        "outcome": result.outcome,
        "rounds": result.outcome.get("rounds"),
    }


@router.get(
    "/ballots/{ballot_id}/published",
    response={200: list[PublishedBallotOut], **error_responses(400, 401, 404)},
    summary="The anonymous ballots, after close, to recount; receipt= finds yours",
)
@paginate(PageNumberPagination)
def ballot_published(request: HttpRequest, ballot_id: int, receipt: str = "") -> Any:
    ballot = selectors.ballot_result_ready(pk=ballot_id)
    hashed = services.receipt_hash(receipt) if receipt else None
    if not ballot.secret and ballot.status == BallotStatus.CLOSED:
        # Not secret: each vote is published with the member who cast it.
        votes = selectors.recorded_votes_published(ballot=ballot)
        if hashed:
            votes = votes.filter(receipt_hash=hashed)
        return _Mapped(
            votes,
            lambda vote: {
                "receipt_hash": vote.receipt_hash,
                "content": vote.content,
                "member": vote.member_id,
                "member_name": vote.member.display_name,
            },
        )
    ballots = selectors.anonymous_ballots_published(ballot=ballot)
    if hashed:
        ballots = ballots.filter(receipt_hash=hashed)
    return ballots


class _Mapped:
    """A queryset whose page of rows is turned into API dicts after slicing."""

    def __init__(self, queryset: QuerySet[Any], to_row: Callable[[Any], dict[str, Any]]) -> None:
        self.queryset, self.to_row = queryset, to_row

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [self.to_row(row) for row in self.queryset[window]]


@router.get(
    "/parameters",
    response={200: list[ParameterOut]},
    auth=None,
    summary="The live platform parameters, each with the decision that set it",
)
def parameter_list(request: HttpRequest) -> list[dict[str, Any]]:
    rows = []
    for live in selectors.parameter_live_list():
        decision = live.decision
        rows.append(
            {
                "key": live.spec.key,
                "label": live.spec.label,
                "description": live.spec.description,
                "unit": live.spec.unit,
                "minimum": live.spec.minimum,
                "maximum": live.spec.maximum,
                "default": live.spec.default,
                "value": live.value,
                "decision": None
                if decision is None
                else {
                    "proposal": decision.proposal_id,
                    "proposal_title": decision.proposal.title if decision.proposal else None,
                    "ballot": decision.ballot_id,
                    "note": decision.note,
                    "decided_at": decision.created_at,
                },
            }
        )
    return rows


@router.get(
    "/audit",
    response={200: list[AuditEntryOut], **error_responses(400, 401, 403)},
    summary="The board's audit log, newest first (board)",
)
@paginate(PageNumberPagination)
def audit_list(request: HttpRequest) -> Any:
    board_action_check(user=request.user, request=request)
    return selectors.audit_log_list()
