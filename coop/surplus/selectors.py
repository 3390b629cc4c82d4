"""Reads of the surplus distribution: closes and a member's statement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from coop.algorithms import explanation_for
from coop.members.models import User
from coop.money.amounts import default_currency
from coop.surplus import patronage
from coop.surplus.exceptions import CloseNotFound
from coop.surplus.models import FiscalYearClose, PatronageLine


def close_list() -> QuerySet[FiscalYearClose]:
    return FiscalYearClose.objects.select_related("simulated_by", "approved_by").order_by("-year")


def close_get(*, year: int, currency: str | None = None) -> FiscalYearClose:
    close = FiscalYearClose.objects.filter(
        year=year, currency=currency or default_currency()
    ).first()
    if close is None:
        raise CloseNotFound(f"There is no close for {year} yet.")
    return close


@dataclass(frozen=True, slots=True)
class StatementLine:
    measure: str
    service: str
    label: str
    quantity: int
    unit: str
    weight: int
    weight_key: str
    points: int


@dataclass(frozen=True, slots=True)
class Statement:
    close: FiscalYearClose
    lines: list[StatementLine]
    points: int
    dividend_cents: int
    to_capital: bool
    formula: str
    explanation: dict[str, Any]


def statement_for(*, close: FiscalYearClose, member: User) -> Statement:
    """`member`'s statement in `close`, one line per measure, with the formula that makes it."""
    line = PatronageLine.objects.filter(close=close, member=member).first()
    quantities: dict[str, int] = line.quantities if line else {}
    lines = []
    for measure in patronage.MEASURES:
        quantity = int(quantities.get(measure.key, 0))
        weight = int(close.weights.get(measure.weight_key, 0))
        lines.append(
            StatementLine(
                measure=measure.key,
                service=measure.service,
                label=measure.label,
                quantity=quantity,
                unit=measure.unit,
                weight=weight,
                weight_key=measure.weight_key,
                points=quantity * weight,
            )
        )
    points = sum(item.points for item in lines)
    dividend = line.dividend_cents if line else 0
    formula = (
        f"dividend = pool {close.dividend_cents} x your points {points} / everyone's points "
        f"{close.total_points}, in cents, with leftover cents going to the largest remainders"
    )
    return Statement(
        close=close,
        lines=lines,
        points=points,
        dividend_cents=dividend,
        to_capital=line.to_capital if line else False,
        formula=formula,
        explanation=explanation_for(
            patronage.PATRONAGE,
            points=points,
            total_points=close.total_points,
            dividend_pool_cents=close.dividend_cents,
            dividend_cents=dividend,
        ),
    )
