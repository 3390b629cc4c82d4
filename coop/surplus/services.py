"""Writes of the surplus distribution: simulate a year's close, approve it, pay it."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from coop.exceptions import NotAllowed
from coop.locking import lock_for_update
from coop.members.models import MembershipStatus, User
from coop.money.amounts import Money, default_currency, format_money
from coop.money.ledger import Cause, coop_account, ledger_post, member_account
from coop.money.models import Account, AccountKind, AccountType, Entry, LedgerTransaction
from coop.notifications.services import notification_send
from coop.surplus import patronage
from coop.surplus.exceptions import CloseStateError, InvalidSplit, YearNotOver
from coop.surplus.models import CloseStatus, FiscalYearClose, PatronageLine
from governance.audit import audit_record
from governance.parameters import parameter_value

STATEMENT_URL = "/surplus/"


def _board_only(user: User) -> None:
    # The API and pages run governance's full board check (with MFA); this keeps a direct call
    # from anyone else from closing the books.
    if not user.is_board or not user.in_good_standing:
        raise NotAllowed("Only the board runs the close of a fiscal year.", code="board_only")


def surplus_simulate(*, year: int, by: User, currency: str | None = None) -> FiscalYearClose:
    """Compute (or recompute) a finished year's close and every member's patronage line."""
    _board_only(by)
    currency = currency or default_currency()
    if year >= timezone.localdate().year:
        raise YearNotOver(f"The fiscal year {year} has not ended yet.")
    reserves_bp = parameter_value("surplus.reserves_basis_points")
    community_bp = parameter_value("surplus.community_basis_points")
    weights = {
        measure.weight_key: parameter_value(measure.weight_key) for measure in patronage.MEASURES
    }
    revenue, costs = patronage.revenue_and_costs(year=year, currency=currency)
    try:
        split = patronage.surplus_split(
            surplus=revenue - costs, reserves_bp=reserves_bp, community_bp=community_bp
        )
    except ValueError as error:
        raise InvalidSplit(str(error)) from error
    activity = patronage.activity_for_year(year=year, currency=currency)
    members = {
        member.pk: member
        for member in User.objects.filter(pk__in=activity.keys())
        if member.in_good_standing
    }
    member_ids = sorted(members)
    points = [patronage.points_for(activity[pk], weights) for pk in member_ids]
    pool = split.dividend_pool
    if pool.is_positive and sum(points) == 0:
        # Nobody used the co-op: the pool has no one to go to and stays in the reserves.
        split = patronage.Split(split.surplus, split.reserves + pool, split.community, pool * 0)
        pool = split.dividend_pool
    dividends = patronage.dividends_for(pool, points)
    figures = {
        "revenue_cents": revenue.cents,
        "costs_cents": costs.cents,
        "surplus_cents": split.surplus.cents,
        "reserves_cents": split.reserves.cents,
        "community_cents": split.community.cents,
        "dividend_cents": split.dividend_pool.cents,
        "reserves_basis_points": reserves_bp,
        "community_basis_points": community_bp,
        "weights": weights,
        "total_points": sum(points),
        "simulated_by": by,
        "simulated_at": timezone.now(),
    }
    with transaction.atomic():
        close = FiscalYearClose.objects.filter(year=year, currency=currency).first()
        if close is None:
            try:
                with transaction.atomic():
                    close = FiscalYearClose.objects.create(year=year, currency=currency, **figures)
            except IntegrityError:
                raise CloseStateError("Someone else is simulating this year right now.") from None
        else:
            (close,) = lock_for_update(close)
            if close.status != CloseStatus.SIMULATED:
                raise CloseStateError(f"The close of {year} is already {close.status}.")
            for field, value in figures.items():
                setattr(close, field, value)
            close.save()
            close.lines.all().delete()
        PatronageLine.objects.bulk_create(
            PatronageLine(
                close=close,
                member_id=pk,
                quantities=activity[pk],
                points=member_points,
                dividend_cents=dividend.cents,
            )
            for pk, member_points, dividend in zip(member_ids, points, dividends, strict=True)
            if member_points > 0
        )
        audit_record(
            actor=by,
            action="surplus.simulate",
            target=f"surplus:{year}",
            details={k: v for k, v in figures.items() if k.endswith(("_cents", "_points"))},
        )
        for pk, dividend in zip(member_ids, dividends, strict=True):
            if dividend.is_positive:
                notification_send(
                    recipient=members[pk],
                    kind="surplus.simulated",
                    title=f"Your patronage dividend for {year} would be {format_money(dividend)}",
                    body="See how it is computed, line by line, before the vote.",
                    url=STATEMENT_URL,
                )
    return close


def surplus_approve(*, close: FiscalYearClose, by: User) -> FiscalYearClose:
    """Record the board's approval of a simulated close (after the members' vote)."""
    _board_only(by)
    with transaction.atomic():
        (close,) = lock_for_update(close)
        if close.status != CloseStatus.SIMULATED:
            raise CloseStateError(f"The close of {close.year} is already {close.status}.")
        gone = close.lines.exclude(
            member__membership_status=MembershipStatus.MEMBER, member__is_active=True
        ).count()
        if gone:
            # The lines were computed for members who have since left or been suspended: the
            # vote must be on a split that pays only current members.
            raise CloseStateError(
                f"{gone} member(s) on this close left or were suspended since the simulation: "
                "simulate the year again before approving it."
            )
        close.status = CloseStatus.APPROVED
        close.approved_by = by
        close.approved_at = timezone.now()
        close.save(update_fields=["status", "approved_by", "approved_at"])
        audit_record(
            actor=by,
            action="surplus.approve",
            target=f"surplus:{close.year}",
            details={"surplus_cents": close.surplus_cents, "dividend_cents": close.dividend_cents},
        )
    return close


def patronage_choose_capital(
    *, close: FiscalYearClose, member: User, to_capital: bool
) -> PatronageLine:
    """A member's choice to take their dividend as share capital instead of a payout."""
    with transaction.atomic():
        (close,) = lock_for_update(close)
        if close.status == CloseStatus.PAID:
            raise CloseStateError("The dividends of that year have already been paid.")
        line = PatronageLine.objects.filter(close=close, member=member).first()
        if line is None:
            raise CloseStateError("You have no dividend in that year's close.")
        line.to_capital = to_capital
        line.save(update_fields=["to_capital"])
    return line


def _closing_entries(close: FiscalYearClose) -> list[tuple[Account, Money]]:
    """Entries that bring the year's revenue and expense accounts into the surplus account."""
    start, end = patronage.year_bounds(close.year)
    totals = (
        Entry.objects.filter(
            currency=close.currency,
            account__type__in=[AccountType.REVENUE, AccountType.EXPENSE],
            transaction__created_at__gte=start,
            transaction__created_at__lt=end,
        )
        .exclude(transaction__service=patronage.SERVICE)
        .values("account")
        .annotate(total=Sum("amount_cents"))
    )
    accounts = Account.objects.in_bulk([row["account"] for row in totals])
    entries = [
        (accounts[row["account"]], Money(-row["total"], close.currency))
        for row in totals
        if row["total"]
    ]
    surplus = Money(close.surplus_cents, close.currency)
    entries.append((coop_account(AccountKind.SURPLUS, currency=close.currency), -surplus))
    return entries


def surplus_pay(*, close: FiscalYearClose, by: User) -> FiscalYearClose:
    """Book an approved close: the year's result into the surplus account, then the surplus out
    to reserves, the community fund and each member (payable, or share capital by choice)."""
    _board_only(by)
    with transaction.atomic():
        (close,) = lock_for_update(close)
        if close.status != CloseStatus.APPROVED:
            raise CloseStateError("Only an approved close can be paid.")
        lines = list(close.lines.select_related("member").filter(dividend_cents__gt=0))
        currency = close.currency
        cause = Cause.of(patronage.SERVICE, close, created_by=by)
        tx: LedgerTransaction | None = None
        if close.surplus_cents > 0:
            ledger_post(
                entries=_closing_entries(close),
                cause=cause,
                description=f"Close of {close.year}: the year's result to the surplus",
                idempotency_key=f"surplus-close-{close.pk}",
            )
            entries: list[tuple[Account, Money]] = [
                (
                    coop_account(AccountKind.SURPLUS, currency=currency),
                    Money(close.surplus_cents, currency),
                ),
                (
                    coop_account(AccountKind.RESERVES, currency=currency),
                    -Money(close.reserves_cents, currency),
                ),
                (
                    coop_account(AccountKind.COMMUNITY_FUND, currency=currency),
                    -Money(close.community_cents, currency),
                ),
            ]
            entries += [
                (
                    member_account(
                        line.member,
                        AccountKind.SHARE_CAPITAL
                        if line.to_capital
                        else AccountKind.MEMBER_PAYABLE,
                        currency=currency,
                    ),
                    -Money(line.dividend_cents, currency),
                )
                for line in lines
            ]
            tx = ledger_post(
                entries=[(account, amount) for account, amount in entries if not amount.is_zero],
                cause=cause,
                description=f"Close of {close.year}: reserves, community fund and dividends",
                idempotency_key=f"surplus-distribute-{close.pk}",
            )
        close.status = CloseStatus.PAID
        close.paid_at = timezone.now()
        close.ledger_transaction = tx
        close.save(update_fields=["status", "paid_at", "ledger_transaction"])
        audit_record(
            actor=by,
            action="surplus.pay",
            target=f"surplus:{close.year}",
            details={"transaction": tx.pk if tx else None, "members": len(lines)},
        )
        for line in lines:
            amount = format_money(Money(line.dividend_cents, currency))
            notification_send(
                recipient=line.member,
                kind="surplus.paid",
                title=f"Your {close.year} patronage dividend of {amount} is paid",
                body="It is in your share capital."
                if line.to_capital
                else "It is in your balance.",
                url=STATEMENT_URL,
            )
    return close
