"""Community pages: the public list and detail (money in and out), proposing, the board's review
and the board's record of what a project's money paid for."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coop.community import selectors, services
from coop.community.forms import ApproveForm, GiftForm, ProposeForm, RejectForm, SpendForm
from coop.community.models import CommunityProject
from coop.exceptions import DomainError, InvalidInput, NotFound
from coop.geo.points import Point
from coop.members.models import User
from coop.money.amounts import Money, default_currency, format_money
from coop.money.checkout import card_payment_context
from frontend.forms import form_add_domain_error
from governance.board import board_action_check
from governance.models import Ballot


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _card(project: CommunityProject, money: selectors.ProjectMoney) -> dict[str, Any]:
    return {
        "project": project,
        "received": format_money(Money(money.in_cents, money.currency)),
        "asked": format_money(Money(project.amount_cents, project.currency)),
        "progress": selectors.progress_percent(project, money),
    }


def project_list(request: HttpRequest) -> HttpResponse:
    """Public: every approved project and how far it is towards its amount."""
    projects = list(selectors.projects_public())
    totals = selectors.project_money_totals(projects)
    cards = [_card(p, totals[p.pk]) for p in projects]
    return render(request, "community/list.html", {"cards": cards})


def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        project = selectors.project_get_for_user(request.user, slug)
    except NotFound as error:
        raise Http404(str(error)) from error
    money = selectors.project_money(project)
    lines = [
        {
            "when": line.when,
            "description": line.description,
            "amount": format_money(Money(abs(line.amount_cents), money.currency)),
            "incoming": line.amount_cents > 0,
        }
        for line in money.lines
    ]
    context = {
        **_card(project, money),
        "spent": format_money(Money(money.out_cents, money.currency)),
        "balance": format_money(Money(money.balance_cents, money.currency)),
        "spent_percent": min(100, money.out_cents * 100 // money.in_cents)
        if money.in_cents
        else None,
        "lines": lines,
        "gift_form": GiftForm(),
        "can_give": project.approved
        and request.user.is_authenticated
        and _user(request).in_good_standing,
    }
    return render(request, "community/detail.html", context)


@login_required
def project_propose(request: HttpRequest) -> HttpResponse:
    form = ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        place = Point(data["lat"], data["lng"]) if data.get("lat") is not None else None
        try:
            project = services.project_propose(
                member=_user(request),
                name=data["name"],
                description=data["description"],
                neighbourhood=data["neighbourhood"],
                amount=Money.from_decimal(data["amount"], default_currency()),
                place=place,
            )
        except DomainError as error:
            form_add_domain_error(form, error, rename={"amount_cents": "amount"})
        else:
            messages.success(request, _("Thank you: the board will check your proposal."))
            return redirect("community:detail", slug=project.slug)
    return render(request, "community/propose.html", {"form": form})


@login_required
@require_POST
def gift_start(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        project = selectors.project_get_public(slug)
    except NotFound as error:
        raise Http404(str(error)) from error
    form = GiftForm(request.POST)
    if form.is_valid():
        try:
            payment = services.gift_start(
                member=_user(request),
                project=project,
                amount=Money.from_decimal(form.cleaned_data["amount"], project.currency),
            )
        except DomainError as error:
            messages.error(request, _problems(error))
        else:
            context = {
                "project": project,
                "payment": payment,
                "amount": format_money(Money(payment.amount_cents, payment.currency)),
                **card_payment_context(),
            }
            return render(request, "community/gift.html", context)
    else:
        messages.error(request, _("Give an amount of at least 1.00."))
    return redirect("community:detail", slug=project.slug)


@login_required
def board_review(request: HttpRequest) -> HttpResponse:
    """The board's queue: check each proposal, then record the members' ballot or reject it."""
    try:
        board_action_check(user=request.user, request=request)
    except DomainError:
        raise Http404 from None
    pending = list(selectors.projects_pending())
    totals = selectors.project_money_totals(pending)
    cards = [
        {**_card(p, totals[p.pk]), "approve_form": ApproveForm(), "reject_form": RejectForm()}
        for p in pending
    ]
    return render(request, "community/review.html", {"cards": cards})


def _problems(error: DomainError) -> str:
    details = [f"{name}: {' '.join(texts)}" for name, texts in error.fields.items()]
    return " ".join([error.message, *details])


@login_required
@require_POST
def board_decide(request: HttpRequest, slug: str, decision: str) -> HttpResponse:
    project = CommunityProject.objects.filter(slug=slug).first()
    if project is None or decision not in {"approve", "reject"}:
        raise Http404
    form: ApproveForm | RejectForm = (
        ApproveForm(request.POST) if decision == "approve" else RejectForm(request.POST)
    )
    if not form.is_valid():
        messages.error(request, _("Fill in the decision form: %s") % form.errors.as_text())
        return redirect("community:review")
    try:
        if isinstance(form, ApproveForm):
            ballot = Ballot.objects.filter(pk=form.cleaned_data["ballot"]).first()
            if ballot is None:
                raise InvalidInput(fields={"ballot": ["No such ballot."]})
            services.project_approve(
                board_member=_user(request), request=request, project=project, ballot=ballot
            )
        else:
            services.project_reject(
                board_member=_user(request),
                request=request,
                project=project,
                reason=form.cleaned_data["reason"],
            )
    except DomainError as error:
        messages.error(request, _problems(error))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("community:review")


@login_required
def project_spend(request: HttpRequest, slug: str) -> HttpResponse:
    """The board records a payment out of the project's account, against its receipt."""
    try:
        board_action_check(user=request.user, request=request)
        project = selectors.project_get_public(slug)
    except DomainError:
        raise Http404 from None
    form = SpendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        number = data["payee_member_number"]
        try:
            payee_member = None
            if number is not None:
                payee_member = User.objects.filter(member_number=number).first()
                if payee_member is None:
                    raise InvalidInput(fields={"payee_member_number": ["No member has it."]})
            services.project_spend(
                board_member=_user(request),
                request=request,
                project=project,
                amount=Money.from_decimal(data["amount"], project.currency),
                payee=data["payee"],
                purpose=data["purpose"],
                spent_on=data["spent_on"],
                reference=data["reference"],
                payee_member=payee_member,
            )
        except DomainError as error:
            form_add_domain_error(
                form,
                error,
                rename={"amount_cents": "amount", "payee_member": "payee_member_number"},
            )
        else:
            messages.success(request, _("The spend is recorded and shown on the project page."))
            return redirect("community:detail", slug=project.slug)
    money = selectors.project_money(project, lines=False)
    context = {
        "project": project,
        "form": form,
        "balance": format_money(Money(money.balance_cents, money.currency)),
    }
    return render(request, "community/spend.html", context)
