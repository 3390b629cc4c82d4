"""A server-rendered SVG bar chart of monthly income (no JavaScript, no inline styles)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from coop.money.amounts import Money, format_money
from coop.money.selectors import MonthlyIncome

WIDTH = 640
HEIGHT = 220
BOTTOM = 30  # room for the month labels
TOP = 10


@dataclass(frozen=True, slots=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    label: str
    value: str
    service: str


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    labels: list[tuple[int, str]]  # (x, month)
    baseline: int
    services: list[str]


def income_chart(rows: list[MonthlyIncome], *, currency: str) -> Chart:
    """One stacked bar per month, one segment per service."""
    months: dict[date, dict[str, int]] = defaultdict(dict)
    for row in rows:
        months[row.month][row.service] = months[row.month].get(row.service, 0) + row.amount.cents
    ordered = sorted(months)
    services = sorted({row.service for row in rows})
    top = max((sum(v.values()) for v in months.values()), default=0) or 1
    plot_height = HEIGHT - BOTTOM - TOP
    slot = WIDTH // max(len(ordered), 1)
    bar_width = max(8, int(slot * 0.6))
    bars: list[Bar] = []
    labels: list[tuple[int, str]] = []
    for index, month in enumerate(ordered):
        x = index * slot + (slot - bar_width) // 2
        stacked = 0
        for service in services:
            cents = months[month].get(service, 0)
            if cents <= 0:
                continue
            height = max(1, round(cents * plot_height / top))
            stacked += height
            bars.append(
                Bar(
                    x=x,
                    y=HEIGHT - BOTTOM - stacked,
                    width=bar_width,
                    height=height,
                    label=month.strftime("%b %Y"),
                    value=format_money(Money(cents, currency)),
                    service=service,
                )
            )
        labels.append((x + bar_width // 2, month.strftime("%b")))
    return Chart(WIDTH, HEIGHT, bars, labels, HEIGHT - BOTTOM, services)
