"""Reads for the community fund: the projects, and each project's money from the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, F, QuerySet, Sum, When

from coop.community.models import CommunityProject, ProjectSpend, ProjectStatus
from coop.exceptions import NotFound
from coop.money.models import Account, AccountKind, Entry, LedgerTransaction


def projects_public() -> QuerySet[CommunityProject]:
    return CommunityProject.objects.filter(status=ProjectStatus.APPROVED)


def projects_pending() -> QuerySet[CommunityProject]:
    return CommunityProject.objects.filter(status=ProjectStatus.PROPOSED).select_related(
        "proposed_by"
    )


def project_get_public(slug: str) -> CommunityProject:
    """Approved projects are public; the others only exist for the board and the proposer."""
    project = projects_public().filter(slug=slug).first()
    if project is None:
        raise NotFound("No such community project.")
    return project


def project_get_for_user(user: Any, slug: str) -> CommunityProject:
    project = CommunityProject.objects.filter(slug=slug).first()
    if project is None:
        raise NotFound("No such community project.")
    if project.approved or getattr(user, "is_board", False):
        return project
    if user.is_authenticated and project.proposed_by_id == user.pk:
        return project
    raise NotFound("No such community project.")


@dataclass(frozen=True)
class MoneyLine:
    when: str
    description: str
    amount_cents: int  # positive: money in; negative: money out


@dataclass(frozen=True)
class ProjectMoney:
    currency: str
    in_cents: int = 0
    out_cents: int = 0
    lines: list[MoneyLine] = field(default_factory=list)

    @property
    def balance_cents(self) -> int:
        return self.in_cents - self.out_cents


# What the public page says about money that is not a spend. The ledger's own descriptions name
# the payer ("Stay paid by Alice"), and this page is public: it says where money came from,
# never who, so it also tells nothing about a member after they leave.
_PUBLIC_IN = {"stays": "Community share of a stay", "community": "Gift from a member"}
_PUBLIC_OUT = {"stays": "Community share of a stay, refunded", "community": "Gift refunded"}


def _public_description(transaction: LedgerTransaction, amount_cents: int) -> str:
    if amount_cents > 0:
        return _PUBLIC_IN.get(transaction.service, "Money in")
    return _PUBLIC_OUT.get(transaction.service, "Money out")


def project_money(project: CommunityProject, *, lines: bool = True) -> ProjectMoney:
    """Money in (credits) and out (debits, refunds included) of the project's sub-account.

    The account is a liability: a credit (negative entry) is money the fund received."""
    account = Account.objects.filter(
        kind=AccountKind.COMMUNITY_PROJECT,
        key=project.slug,
        owner__isnull=True,
        currency=project.currency,
    ).first()
    if account is None:
        return ProjectMoney(currency=project.currency)
    entries = list(
        Entry.objects.filter(account=account)
        .select_related("transaction")
        .order_by("id")
        .only(
            "amount_cents",
            "transaction__created_at",
            "transaction__description",
            "transaction__service",
        )
    )
    money_in = sum(-e.amount_cents for e in entries if e.amount_cents < 0)
    money_out = sum(e.amount_cents for e in entries if e.amount_cents > 0)
    if not lines:
        return ProjectMoney(currency=project.currency, in_cents=money_in, out_cents=money_out)
    # A spend is dated by when it was paid, which the board may record a few days later, and
    # its description (purpose, supplier, receipt) is written to be public.
    paid_on = dict(
        ProjectSpend.objects.filter(project=project).values_list(
            "ledger_transaction_id", "spent_on"
        )
    )
    return ProjectMoney(
        currency=project.currency,
        in_cents=money_in,
        out_cents=money_out,
        lines=[
            MoneyLine(
                when=(paid_on.get(e.transaction_id) or e.transaction.created_at.date()).isoformat(),
                description=e.transaction.description
                if e.transaction_id in paid_on
                else _public_description(e.transaction, -e.amount_cents),
                amount_cents=-e.amount_cents,
            )
            for e in entries
        ],
    )


def project_money_totals(projects: list[CommunityProject]) -> dict[int, ProjectMoney]:
    """Money in and out of many projects in one query (for lists), without the lines."""
    by_slug = {project.slug: project for project in projects}
    totals = {project.pk: ProjectMoney(currency=project.currency) for project in projects}
    rows = (
        Entry.objects.filter(
            account__kind=AccountKind.COMMUNITY_PROJECT,
            account__owner__isnull=True,
            account__key__in=list(by_slug),
        )
        .values("account__key", "account__currency")
        .annotate(
            received=Sum(Case(When(amount_cents__lt=0, then=-F("amount_cents")), default=0)),
            spent=Sum(Case(When(amount_cents__gt=0, then=F("amount_cents")), default=0)),
        )
    )
    for row in rows:
        project = by_slug[row["account__key"]]
        if row["account__currency"] == project.currency:
            totals[project.pk] = ProjectMoney(
                currency=project.currency,
                in_cents=row["received"] or 0,
                out_cents=row["spent"] or 0,
            )
    return totals


def project_spends(project: CommunityProject) -> QuerySet[ProjectSpend]:
    return ProjectSpend.objects.filter(project=project).order_by("spent_on", "id")


def progress_percent(project: CommunityProject, money: ProjectMoney) -> int | None:
    """How far the money received goes towards the amount asked (None: open-ended)."""
    if project.amount_cents <= 0:
        return None
    return min(100, money.in_cents * 100 // project.amount_cents)
