"""Reads of the ledger: a member's statement, the co-op's accounts, income and the fund."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import F, QuerySet, Sum, Window
from django.db.models.functions import TruncMonth
from django.utils import timezone

from coop.members.models import User
from coop.money.amounts import Money, default_currency
from coop.money.ledger import balances_by_account
from coop.money.models import Account, AccountKind, Entry


def statement_entries(*, member: User) -> QuerySet[Entry]:
    """The member's entries, newest first, each with `running_cents`: the account's raw balance
    right after it (a window over the account's whole history, computed before paging)."""
    return (
        Entry.objects.filter(account__owner=member)
        .select_related("account", "transaction")
        .annotate(
            running_cents=Window(
                Sum("amount_cents"), partition_by=[F("account_id")], order_by=F("id").asc()
            )
        )
        .order_by("-id")
    )


@dataclass(frozen=True, slots=True)
class AccountBalance:
    account: Account
    balance: Money  # in the account's normal sign: what a person expects to read

    @property
    def name(self) -> str:
        return self.account.name


def member_balances(*, member: User) -> list[AccountBalance]:
    accounts = list(Account.objects.filter(owner=member).order_by("kind", "currency"))
    raw = balances_by_account(accounts)
    return [AccountBalance(a, Money(raw[a.pk] * a.normal_sign, a.currency)) for a in accounts]


def coop_balances() -> list[AccountBalance]:
    """The co-op's own accounts, and one line per member account kind (totalled)."""
    accounts = list(Account.objects.filter(owner__isnull=True).order_by("kind", "key", "currency"))
    raw = balances_by_account(accounts)
    lines = [AccountBalance(a, Money(raw[a.pk] * a.normal_sign, a.currency)) for a in accounts]
    totals = (
        Account.objects.filter(owner__isnull=False)
        .values("kind", "currency", "type")
        .annotate(total=Sum("entries__amount_cents", default=0))
        .order_by("kind", "currency")
    )
    for row in totals:
        summary = Account(
            kind=row["kind"],
            type=row["type"],
            currency=row["currency"],
            name=f"{AccountKind(row['kind']).label} (all members)",
        )
        lines.append(
            AccountBalance(summary, Money(row["total"] * summary.normal_sign, row["currency"]))
        )
    return lines


def community_fund_by_project() -> list[AccountBalance]:
    return [
        line
        for line in coop_balances()
        if line.account.kind in {AccountKind.COMMUNITY_FUND, AccountKind.COMMUNITY_PROJECT}
    ]


@dataclass(frozen=True, slots=True)
class MonthlyIncome:
    month: date
    service: str
    amount: Money


def monthly_income(*, months: int = 12, currency: str | None = None) -> list[MonthlyIncome]:
    """The co-op's fee revenue per month and service (credits to revenue accounts), oldest first."""
    currency = currency or default_currency()
    now = timezone.now()
    first = (now.replace(day=1) - timedelta(days=31 * (months - 1))).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    rows = (
        Entry.objects.filter(
            account__kind=AccountKind.FEE_REVENUE,
            currency=currency,
            transaction__created_at__gte=first,
        )
        # The year-end close moves revenue into the surplus account: not income, so left out.
        .exclude(transaction__service="surplus")
        .annotate(month=TruncMonth("transaction__created_at"))
        .values("month", "transaction__service")
        .annotate(total=Sum("amount_cents"))
        .order_by("month", "transaction__service")
    )
    result = []
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime):
            month = month.date()
        result.append(
            MonthlyIncome(month, row["transaction__service"], Money(-row["total"], currency))
        )
    return result
