"""JSON endpoints of the surplus distribution, mounted at /api/v1/coop/surplus."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from coop.api import error_responses
from coop.members.models import User
from coop.pagination import PageNumberPagination
from coop.surplus import selectors, services
from coop.surplus.models import FiscalYearClose
from governance.board import board_action_check

router = Router(tags=["surplus"])


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class CloseOut(Schema):
    year: int
    status: str
    currency: str
    revenue_cents: int
    costs_cents: int
    surplus_cents: int
    reserves_cents: int
    community_cents: int
    dividend_cents: int
    reserves_basis_points: int
    community_basis_points: int
    weights: dict[str, int]
    total_points: int
    members: int
    simulated_at: datetime
    approved_at: datetime | None
    paid_at: datetime | None

    @staticmethod
    def resolve_members(obj: FiscalYearClose) -> int:
        return getattr(obj, "member_count", None) or obj.lines.count()


class PatronageLineOut(Schema):
    measure: str
    service: str
    label: str
    quantity: int
    unit: str
    weight: int
    weight_key: str
    points: int


class StatementOut(Schema):
    year: int
    status: str
    currency: str
    lines: list[PatronageLineOut]
    points: int
    total_points: int
    dividend_pool_cents: int
    dividend_cents: int
    to_capital: bool
    formula: str
    explanation: dict[str, Any]


class ChoiceIn(Schema):
    to_capital: bool


def _statement_out(statement: selectors.Statement) -> dict[str, Any]:
    close = statement.close
    return {
        "year": close.year,
        "status": close.status,
        "currency": close.currency,
        "lines": statement.lines,
        "points": statement.points,
        "total_points": close.total_points,
        "dividend_pool_cents": close.dividend_cents,
        "dividend_cents": statement.dividend_cents,
        "to_capital": statement.to_capital,
        "formula": statement.formula,
        "explanation": statement.explanation,
    }


@router.get(
    "/{int:year}/statement",
    response={200: StatementOut, **error_responses(401, 404)},
    summary="My patronage statement for a fiscal year",
)
def statement(request: HttpRequest, year: int) -> Any:
    """Each measure of my activity in the year, its weight and points, and my dividend."""
    close = selectors.close_get(year=year)
    return _statement_out(selectors.statement_for(close=close, member=_user(request)))


@router.post(
    "/{int:year}/choice",
    response={200: StatementOut, **error_responses(400, 401, 404, 409)},
    summary="Take my dividend as share capital (or not)",
)
def choose(request: HttpRequest, year: int, payload: ChoiceIn) -> Any:
    close = selectors.close_get(year=year)
    services.patronage_choose_capital(
        close=close, member=_user(request), to_capital=payload.to_capital
    )
    return _statement_out(selectors.statement_for(close=close, member=_user(request)))


@router.get(
    "/closes",
    response={200: list[CloseOut], **error_responses(401, 403)},
    summary="Board: every fiscal year close",
)
@paginate(PageNumberPagination)
def close_list(request: HttpRequest) -> Any:
    board_action_check(user=request.user, request=request)
    return selectors.close_list().annotate(member_count=Count("lines"))


@router.post(
    "/{int:year}/simulate",
    response={200: CloseOut, **error_responses(400, 401, 403, 409)},
    summary="Board: simulate the close of a finished year",
)
def simulate(request: HttpRequest, year: int) -> Any:
    board_action_check(user=request.user, request=request)
    return services.surplus_simulate(year=year, by=_user(request))


@router.post(
    "/{int:year}/approve",
    response={200: CloseOut, **error_responses(401, 403, 404, 409)},
    summary="Board: approve a simulated close after the vote",
)
def approve(request: HttpRequest, year: int) -> Any:
    board_action_check(user=request.user, request=request)
    return services.surplus_approve(close=selectors.close_get(year=year), by=_user(request))


@router.post(
    "/{int:year}/pay",
    response={200: CloseOut, **error_responses(401, 403, 404, 409)},
    summary="Board: pay an approved close through the ledger",
)
def pay(request: HttpRequest, year: int) -> Any:
    board_action_check(user=request.user, request=request)
    return services.surplus_pay(close=selectors.close_get(year=year), by=_user(request))
