"""Demo surplus: last year's books (co-op fees members paid, Stripe's costs) and that year's
close, simulated, approved and paid, so every demo member who used the co-op has a statement.

The ledger stamps its rows with the time of posting and refuses edits, and a year can only be
closed once it is over: so last year's history is booked through the ordinary `ledger_post`
with the clock set back to the day each fee was paid. Only this seed does that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from coop.demo.registry import DemoContext
from coop.money.amounts import Money, default_currency
from coop.money.ledger import Cause, coop_account, ledger_post
from coop.money.models import AccountKind, LedgerTransaction
from coop.surplus.models import CloseStatus, FiscalYearClose
from coop.surplus.services import (
    patronage_choose_capital,
    surplus_approve,
    surplus_pay,
    surplus_simulate,
)

# How many members used the co-op last year, and how many fees each paid at most.
PATRONS = 18
MAX_FEES = 6
SERVICES = ("stays", "rides", "lending")
# Stripe's cost, in basis points of the fees (the rest of each payment went to hosts, drivers).
PROCESSING_COST_BP = 1200
# Members who take their dividend as share capital instead of a payout.
CAPITAL_CHOOSERS = 3


@contextmanager
def _clock_at(moment: dt.datetime) -> Iterator[None]:
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


def _book_history(context: DemoContext, year: int) -> int:
    """Last year's fees and costs, each under an idempotency key; returns how many were new."""
    currency = default_currency()
    tz = timezone.get_current_timezone()
    booked = 0
    patrons = context.members[:PATRONS]
    for number, member in enumerate(patrons):
        # Drawn on every run, in the same order, so a second run draws the same history.
        fees = [
            (context.random.randint(1, 12), context.random.randint(1, 28),
             context.random.choice(SERVICES), context.random.randint(300, 3500))
            for _ in range(context.random.randint(1, MAX_FEES))
        ]  # fmt: skip
        for index, (month, day, service, cents) in enumerate(fees):
            key = f"demo-{year}-fee-{number}-{index}"
            if LedgerTransaction.objects.filter(idempotency_key=key).exists():
                continue
            amount = Money(cents, currency)
            cost = Money(cents * PROCESSING_COST_BP // 10_000, currency)
            with _clock_at(dt.datetime(year, month, day, 12, tzinfo=tz)):
                ledger_post(
                    entries=[
                        (coop_account(AccountKind.CLEARING, currency=currency), amount - cost),
                        (coop_account(AccountKind.PAYMENT_FEES, currency=currency), cost),
                        (coop_account(AccountKind.FEE_REVENUE, currency=currency), -amount),
                    ],
                    cause=Cause(service=service, member=member),
                    description=f"Co-op fee paid by {member.display_name} ({service})",
                    idempotency_key=key,
                )
            booked += 1
    return booked


def seed(context: DemoContext) -> None:
    if not context.board or not context.members:
        return
    board = context.board[0]
    year = timezone.localdate().year - 1
    close = FiscalYearClose.objects.filter(year=year, currency=default_currency()).first()
    booked = 0
    if close is None or close.status == CloseStatus.SIMULATED:
        booked = _book_history(context, year)
        close = surplus_simulate(year=year, by=board)
    if close.status == CloseStatus.SIMULATED:
        for line in close.lines.select_related("member").order_by("member_id")[:CAPITAL_CHOOSERS]:
            patronage_choose_capital(close=close, member=line.member, to_capital=True)
        close = surplus_approve(close=close, by=board)
    if close.status == CloseStatus.APPROVED:
        close = surplus_pay(close=close, by=board)
    context.write(
        f"surplus: the close of {year} is {close.status} ({close.lines.count()} statements, "
        f"{booked} fees booked)"
    )
