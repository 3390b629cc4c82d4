"""Money pages: my statement, paying my share, and the board's view of the co-op's money."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coop.exceptions import DomainError
from coop.members.models import MembershipStatus, User
from coop.money import selectors
from coop.money.amounts import Money, default_currency
from coop.money.charts import income_chart
from coop.money.checkout import card_payment_context
from coop.money.models import ShareRefundRequest, ShareRefundStatus
from coop.money.shares import (
    share_payment_of,
    share_payment_start,
    share_price,
    share_refund_approve,
    share_refund_request,
)
from governance.board import board_action_check

PAGE_SIZE = 30


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require_GET
@login_required
def statement(request: HttpRequest) -> HttpResponse:
    member = _user(request)
    page = Paginator(selectors.statement_entries(member=member), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for entry in page.object_list:
        # As the member reads it: on what the co-op owes them, money in is positive.
        sign = entry.account.normal_sign
        entry.display_amount = Money(entry.amount_cents * sign, entry.currency)
        entry.display_balance = Money(entry.running_cents * sign, entry.currency)
    context = {
        "page": page,
        "balances": selectors.member_balances(member=member),
        "share_payment": share_payment_of(member),
        "open_refund_request": ShareRefundRequest.objects.filter(
            member=member, status=ShareRefundStatus.REQUESTED
        ).first(),
    }
    return render(request, "money/statement.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def share(request: HttpRequest) -> HttpResponse:
    """GET explains the share; POST starts the payment and shows the card form."""
    member = _user(request)
    payment = None
    if request.method == "POST":
        try:
            payment = share_payment_start(applicant=member)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("money:share")
    context = {
        "price": share_price(),
        "is_applicant": member.membership_status == MembershipStatus.APPLICANT,
        "payment": payment,
        **card_payment_context(),
    }
    return render(request, "money/share.html", context)


@require_POST
@login_required
def share_leave(request: HttpRequest) -> HttpResponse:
    try:
        share_refund_request(member=_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Your request is with the board. We will let you know.")
    return redirect("money:statement")


def _board(request: HttpRequest) -> User:
    try:
        board_action_check(user=request.user, request=request)
    except DomainError as error:
        raise PermissionDenied(error.message) from error
    return _user(request)


@require_GET
@login_required
def board(request: HttpRequest) -> HttpResponse:
    _board(request)
    currency = default_currency()
    income = selectors.monthly_income(currency=currency)
    context = {
        "accounts": selectors.coop_balances(),
        "income": income,
        "chart": income_chart(income, currency=currency),
        "fund": selectors.community_fund_by_project(),
        "refund_requests": ShareRefundRequest.objects.filter(
            status=ShareRefundStatus.REQUESTED
        ).select_related("member"),
    }
    return render(request, "money/board.html", context)


@require_POST
@login_required
def board_share_refund_approve(request: HttpRequest, request_id: int) -> HttpResponse:
    board_member = _board(request)
    refund_request = get_object_or_404(ShareRefundRequest, pk=request_id)
    try:
        share_refund_approve(board_member=board_member, refund_request=refund_request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{refund_request.member.display_name}'s share is refunded.")
    return redirect("money:board")
