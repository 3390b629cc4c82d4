"""Pages: my patronage statement, and the board's close of the fiscal year."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from coop.exceptions import DomainError
from coop.members.models import User
from coop.money.amounts import Money, format_money
from coop.surplus import patronage, selectors, services
from coop.surplus.models import FiscalYearClose
from governance.board import board_action_check


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _money(cents: int, currency: str) -> str:
    return format_money(Money(cents, currency))


@require_GET
@login_required
def statement(request: HttpRequest) -> HttpResponse:
    closes = list(selectors.close_list())
    wanted = request.GET.get("year", "")
    close = next((c for c in closes if str(c.year) == wanted), closes[0] if closes else None)
    context: dict[str, object] = {
        "closes": closes,
        "close": close,
        "algorithm": patronage.PATRONAGE,
    }
    if close is not None:
        statement = selectors.statement_for(close=close, member=_user(request))
        context.update(
            statement=statement,
            dividend=_money(statement.dividend_cents, close.currency),
            pool=_money(close.dividend_cents, close.currency),
            surplus=_money(close.surplus_cents, close.currency),
            reserves=_money(close.reserves_cents, close.currency),
            community=_money(close.community_cents, close.currency),
        )
    return render(request, "surplus/statement.html", context)


@require_POST
@login_required
def choice(request: HttpRequest, year: int) -> HttpResponse:
    try:
        close = selectors.close_get(year=year)
        services.patronage_choose_capital(
            close=close, member=_user(request), to_capital=request.POST.get("to_capital") == "1"
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Your choice is saved.")
    return redirect(f"/surplus/?year={year}")


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
    closes: list[FiscalYearClose] = list(
        selectors.close_list().annotate(member_count=Count("lines"))
    )
    rows = [
        {
            "close": close,
            "revenue": _money(close.revenue_cents, close.currency),
            "costs": _money(close.costs_cents, close.currency),
            "surplus": _money(close.surplus_cents, close.currency),
            "reserves": _money(close.reserves_cents, close.currency),
            "community": _money(close.community_cents, close.currency),
            "pool": _money(close.dividend_cents, close.currency),
        }
        for close in closes
    ]
    context = {"rows": rows, "last_year": timezone.localdate().year - 1}
    return render(request, "surplus/board.html", context)


@require_POST
@login_required
def board_simulate(request: HttpRequest) -> HttpResponse:
    user = _board(request)
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        messages.error(request, "Give the fiscal year as a number, e.g. 2025.")
        return redirect("surplus:board")
    try:
        services.surplus_simulate(year=year, by=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The close of {year} is simulated; members can see it.")
    return redirect("surplus:board")


@require_POST
@login_required
def board_approve(request: HttpRequest, year: int) -> HttpResponse:
    user = _board(request)
    try:
        services.surplus_approve(close=selectors.close_get(year=year), by=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The close of {year} is approved.")
    return redirect("surplus:board")


@require_POST
@login_required
def board_pay(request: HttpRequest, year: int) -> HttpResponse:
    user = _board(request)
    try:
        services.surplus_pay(close=selectors.close_get(year=year), by=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The dividends of {year} are paid.")
    return redirect("surplus:board")
