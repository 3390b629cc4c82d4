"""HTML pages of governance: the entry page, proposals, voting, results and the board's desk."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from coop.exceptions import DomainError, NotFound
from coop.members.models import MembershipStatus, User
from frontend.catalogue import service_page_context
from frontend.forms import form_add_domain_error
from governance import selectors, services
from governance.board import board_action_required
from governance.forms import BallotForm, CommentForm, ProposalForm, ProxyForm, VoteForm
from governance.models import Ballot, BallotKind, BallotStatus, Proposal, Proxy
from governance.parameters import parameter_value
from governance.tally.tiebreak import RULE


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _proposal(pk: int) -> Proposal:
    try:
        return selectors.proposal_get(pk=pk)
    except NotFound:
        raise Http404("No proposal with that id.") from None


def _ballot(pk: int) -> Ballot:
    try:
        return selectors.ballot_result_ready(pk=pk)
    except NotFound:
        raise Http404("No ballot with that id.") from None


def index(request: HttpRequest) -> HttpResponse:
    """The entry page: open ballots, proposals and the live parameters, and how it all works."""
    context: dict[str, Any] = {
        **service_page_context("governance"),
        "parameters": selectors.parameter_live_list(),
    }
    if request.user.is_authenticated:
        context["open_ballots"] = list(
            selectors.ballot_list_for_member(member=_user(request), status=BallotStatus.OPEN)[:10]
        )
        context["proposals"] = list(selectors.proposal_list()[:5])
    return render(request, "governance/index.html", context)


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    proposals = list(selectors.proposal_list()[:100])
    return render(
        request,
        "governance/proposal_list.html",
        {"proposals": proposals, "needed": parameter_value("governance.sponsor_threshold")},
    )


@login_required
def proposal_new(request: HttpRequest) -> HttpResponse:
    form = ProposalForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.proposal_create(
                author=_user(request),
                title=data["title"],
                text=data["text"],
                kind=data["kind"],
                parameter_key=data["parameter_key"] or "",
                parameter_value=data["parameter_value"],
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, "Your proposal is published. Now it needs sponsors.")
            return redirect("governance:proposal_detail", pk=proposal.pk)
    return render(request, "governance/proposal_new.html", {"form": form})


@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(pk)
    user = _user(request)
    return render(
        request,
        "governance/proposal_detail.html",
        {
            "proposal": proposal,
            "comments": proposal.comments.select_related("author"),
            "ballot": proposal.ballots.first(),
            "needed": parameter_value("governance.sponsor_threshold"),
            "sponsored": proposal.sponsorships.filter(member=user).exists(),
            "comment_form": CommentForm(),
        },
    )


@login_required
@require_POST
def proposal_sponsor(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(pk)
    try:
        proposal = services.proposal_sponsor(proposal=proposal, member=_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if proposal.status == "scheduled":
            messages.success(
                request, "Thank you. The proposal has its sponsors and goes to a vote."
            )
        else:
            messages.success(request, "Thank you for sponsoring this proposal.")
    return redirect("governance:proposal_detail", pk=pk)


@login_required
@require_POST
def proposal_comment(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal(pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_comment(
                proposal=proposal, author=_user(request), text=form.cleaned_data["text"]
            )
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, "Write a comment first.")
    return redirect("governance:proposal_detail", pk=pk)


@login_required
def ballot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The ballot paper (usable on a phone, no JavaScript needed) and the proxy form."""
    ballot = _ballot(pk)
    if ballot.status == BallotStatus.CLOSED:
        return redirect("governance:ballot_result", pk=pk)
    user = _user(request)
    grantors = [
        proxy.grantor
        for proxy in Proxy.objects.filter(ballot=ballot, holder=user).select_related("grantor")
    ]
    form = VoteForm(request.POST or None, ballot=ballot, grantors=grantors)
    receipt = None
    if form.is_bound and form.is_valid():
        try:
            on_behalf = form.cleaned_data.get("on_behalf_of")
            cast = services.vote_cast(
                ballot=ballot,
                voter=user,
                content=form.content(),
                previous_receipt=form.cleaned_data["receipt"],
                on_behalf_of=next((g for g in grantors if str(g.pk) == on_behalf), None),
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            receipt = cast
    voted, eligible = selectors.ballot_turnout(ballot=ballot)
    return render(
        request,
        "governance/ballot_detail.html",
        {
            "ballot": ballot,
            "form": form,
            "receipt": receipt,
            "voted": voted,
            "eligible": eligible,
            "on_roll": selectors.ballot_is_on_roll(ballot=ballot, member=user),
            "has_voted": selectors.ballot_has_voted(ballot=ballot, member=user),
            "proxy_form": ProxyForm(),
            "tie_break_rule": RULE,
        },
    )


@login_required
@require_POST
def ballot_proxy(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _ballot(pk)
    form = ProxyForm(request.POST)
    holder = None
    if form.is_valid():
        holder = User.objects.filter(
            member_number=form.cleaned_data["holder"], membership_status=MembershipStatus.MEMBER
        ).first()
    if holder is None:
        messages.error(request, "No member with that number.")
        return redirect("governance:ballot_detail", pk=pk)
    try:
        services.proxy_grant(ballot=ballot, grantor=_user(request), holder=holder)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{holder} may now vote for you on this ballot.")
    return redirect("governance:ballot_detail", pk=pk)


def _result_rows(ballot: Ballot, outcome: dict[str, Any], turnout: int) -> list[dict[str, Any]]:
    """One row per option with the figure its bar shows."""
    options = list(ballot.options.all())
    if ballot.kind == BallotKind.YES_NO:
        counts = outcome.get("counts", {})
        return [
            {"label": label, "value": counts.get(key, 0), "winner": False}
            for key, label in (("yes", "Yes"), ("no", "No"), ("abstain", "Abstain"))
        ]
    winners = set(outcome.get("winners", []))
    if ballot.kind == BallotKind.RANKED and ballot.seats == 1:
        pairwise = outcome.get("pairwise", {})
        # Bars show how many pairwise contests each option wins.
        return [
            {
                "label": o.label,
                "value": sum(
                    1
                    for other, votes in pairwise.get(str(o.pk), {}).items()
                    if votes > pairwise.get(other, {}).get(str(o.pk), 0)
                ),
                "max": max(len(options) - 1, 1),
                "winner": o.pk in winners,
            }
            for o in options
        ]
    if ballot.kind == BallotKind.RANKED:
        last = outcome["rounds"][-1]["counts"] if outcome.get("rounds") else {}
        return [
            {"label": o.label, "value": last.get(str(o.pk), "0"), "winner": o.pk in winners}
            for o in options
        ]
    counts = outcome.get("counts", {})
    return [
        {
            "label": o.label,
            "value": counts.get(str(o.pk), 0),
            "winner": o.pk in winners,
            "cost_cents": o.cost_cents,
        }
        for o in options
    ]


def _round_rows(options: list[Any], rounds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """STV rounds as table rows, counts in the options' order (JSON keys carry no order)."""
    labels = {option.pk: option.label for option in options}
    return [
        {
            "round": r["round"],
            "action": r["action"].replace("_", " "),
            "elected": [labels.get(pk, str(pk)) for pk in r["elected"]],
            "excluded": [labels.get(pk, str(pk)) for pk in r["excluded"]],
            "counts": [r["counts"].get(str(option.pk), "") for option in options],
            "non_transferable": r["non_transferable"],
        }
        for r in rounds
    ]


@login_required
def ballot_result(request: HttpRequest, pk: int) -> HttpResponse:
    ballot = _ballot(pk)
    result = getattr(ballot, "result", None) if ballot.status == BallotStatus.CLOSED else None
    context: dict[str, Any] = {"ballot": ballot, "result": result, "tie_break_rule": RULE}
    if result is not None:
        outcome = result.outcome
        context["rows"] = _result_rows(ballot, outcome, result.turnout)
        context["labels"] = {str(o.pk): o.label for o in ballot.options.all()}
        context["winner_labels"] = [
            context["labels"].get(str(w), str(w)) for w in outcome.get("winners", [])
        ]
        context["options"] = list(ballot.options.all())
        context["rounds"] = _round_rows(context["options"], outcome.get("rounds", []))
        context["budget_steps"] = [
            {**step, "label": context["labels"].get(str(step["option"]), "")}
            for step in outcome.get("steps", [])
        ]
        context["published"] = list(selectors.anonymous_ballots_published(ballot=ballot)[:500])
        context["recorded"] = list(selectors.recorded_votes_published(ballot=ballot)[:500])
        code = request.GET.get("receipt", "").strip()
        if code:
            context["receipt_code"] = code
            context["found"] = (
                selectors.anonymous_ballots_published(ballot=ballot)
                .filter(receipt_hash=services.receipt_hash(code))
                .first()
            )
    else:
        context["voted"], context["eligible"] = selectors.ballot_turnout(ballot=ballot)
    return render(request, "governance/ballot_result.html", context)


def _board_guard(request: HttpRequest) -> None:
    try:
        board_action_required(request)
    except DomainError as error:
        raise PermissionDenied(error.message) from None


@login_required
def board_desk(request: HttpRequest) -> HttpResponse:
    """The board's desk: schedule a ballot, watch turnout, publish results that are due."""
    _board_guard(request)
    form = BallotForm(request.POST or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            ballot = services.ballot_create(
                title=data["title"],
                description=data["description"],
                kind=data["kind"],
                proposal=data["proposal"],
                options=data["options"],
                seats=data["seats"],
                max_approvals=data["max_approvals"],
                budget_cents=form.budget_cents(),
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                quorum_percent=data["quorum_percent"],
                pass_threshold=data["pass_threshold"],
                secret=data["secret"],
                allow_vote_change=data["allow_vote_change"],
                created_by=_user(request),
            )
        except DomainError as error:
            form_add_domain_error(form, error)
        else:
            messages.success(request, f"Ballot scheduled: {ballot.title}.")
            return redirect("governance:board")
    ballots = list(selectors.ballot_list()[:50])
    return render(
        request,
        "governance/board.html",
        {"form": form, "ballots": ballots, "now": timezone.now()},
    )


@login_required
@require_POST
def board_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Count a ballot whose closing time has passed now, without waiting for the job."""
    _board_guard(request)
    ballot = _ballot(pk)
    if ballot.status == BallotStatus.CLOSED:
        messages.success(request, f"The result of {ballot.title} is published.")
    else:
        messages.error(request, "This ballot is still open; it is counted when it closes.")
    return redirect("governance:board")
