"""The patronage algorithm: how a year's surplus is split and how much of it each member gets.

Published in the open algorithms register. Anyone can recompute a statement from it:

1. surplus = revenue - costs of the fiscal year, read from the ledger (credits to revenue accounts
   minus debits to expense accounts, in transactions dated in that year).
2. reserves = surplus x reserves share, rounded up to the cent (never below the legal minimum);
   community fund = surplus x community share, rounded down; dividend pool = what is left.
3. each member's points = sum over measures of (quantity x weight), all whole numbers.
4. dividend = pool x points / total points, split with the largest-remainder method so the
   dividends add up to the pool exactly (`coop.money.amounts.allocate`).

The measures, each read from the service's own records for the year:
- fees_paid: cents of co-op fees a member paid (as guest, passenger or borrower), net of refunds,
  read from the ledger's fee revenue entries whose transaction names that member; what a held
  deposit pays the co-op (a late fee, a damage award on a common-store item) is compensation,
  not patronage, and is left out, with its refunds, so being late or careless earns no points;
- nights_hosted: nights of confirmed stays that checked out in the year, for the host;
- seats_driven: seats of completed ride bookings, for the driver;
- items_lent: loans of a member's own items returned in the year (common-store items have no
  owner and earn nobody points);
- minutes_given: minutes of confirmed timebank exchanges the member provided.
Chores, direct timebank transfers and community gifts are not patronage and are left out.
Only members in good standing at the close take part; when nobody has any points, the pool goes to
the reserves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_UP

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from coop.algorithms import algorithm_register
from coop.money.amounts import Money, allocate, percent_of
from coop.money.models import AccountKind, AccountType, Entry, Payment, PaymentPurpose, Refund
from coop.surplus.parameters import LEGAL_MINIMUM_RESERVES_BASIS_POINTS

SERVICE = "surplus"


@dataclass(frozen=True, slots=True)
class Measure:
    key: str
    service: str
    label: str
    unit: str
    weight_key: str


MEASURES: tuple[Measure, ...] = (
    Measure("fees_paid", "all", "Co-op fees paid", "cents", "surplus.weight_fees"),
    Measure("nights_hosted", "stays", "Nights hosted", "nights", "surplus.weight_nights_hosted"),
    Measure("seats_driven", "rides", "Seats driven", "seats", "surplus.weight_seats_driven"),
    Measure("items_lent", "lending", "Items lent", "loans", "surplus.weight_items_lent"),
    Measure("minutes_given", "timebank", "Time given", "minutes", "surplus.weight_minutes_given"),
)
MEASURE_BY_KEY = {measure.key: measure for measure in MEASURES}

PATRONAGE = algorithm_register(
    slug="patronage",
    name="Patronage dividend",
    # 2: late fees and damage awards taken from deposits no longer count as fees paid.
    version="2",
    description=(
        "At the close of a fiscal year the surplus (revenue minus costs, from the ledger) is split "
        "into reserves (rounded up, at least the legal minimum), the community fund (rounded "
        "down) and the dividend pool (the rest). Each member's points are the sum of their "
        "activity in the year times a weight per measure: cents of fees paid (late fees and "
        "damage awards taken from deposits do not count), nights hosted, "
        "seats driven, items lent and minutes given in the timebank. The pool is split in "
        "proportion to points, to the cent, by the largest-remainder method, so the dividends "
        "add up to the pool exactly."
    ),
    parameter_keys=(
        "surplus.reserves_basis_points",
        "surplus.community_basis_points",
        *(measure.weight_key for measure in MEASURES),
    ),
    constants={
        "legal_minimum_reserves_basis_points": LEGAL_MINIMUM_RESERVES_BASIS_POINTS,
        "measures": {measure.key: measure.unit for measure in MEASURES},
        "rounding": "reserves up, community fund down, dividends by largest remainder",
    },
)


# --- Pure calculation ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Split:
    surplus: Money
    reserves: Money
    community: Money
    dividend_pool: Money


def surplus_split(*, surplus: Money, reserves_bp: int, community_bp: int) -> Split:
    """Split a surplus into reserves, community fund and dividend pool (parts sum to it)."""
    if reserves_bp < LEGAL_MINIMUM_RESERVES_BASIS_POINTS:
        raise ValueError("The reserves share is below the legal minimum.")
    if reserves_bp + community_bp > 10_000:
        raise ValueError("Reserves and community fund together exceed the whole surplus.")
    if not surplus.is_positive:
        zero = Money(0, surplus.currency)
        return Split(surplus, zero, zero, zero)
    reserves = percent_of(surplus, basis_points=reserves_bp, rounding=ROUND_UP)
    community = percent_of(surplus, basis_points=community_bp, rounding=ROUND_DOWN)
    return Split(surplus, reserves, community, surplus - reserves - community)


def points_for(quantities: dict[str, int], weights: dict[str, int]) -> int:
    return sum(quantities.get(m.key, 0) * weights[m.weight_key] for m in MEASURES)


def dividends_for(pool: Money, points: list[int]) -> list[Money]:
    """The pool split in proportion to `points`; nothing to share when nobody has points."""
    if not points:
        return []
    if sum(points) == 0 or pool.is_zero:
        return [Money(0, pool.currency)] * len(points)
    return allocate(pool, points)


# --- Reading the year from the ledger and the services ---------------------------------------


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def revenue_and_costs(*, year: int, currency: str) -> tuple[Money, Money]:
    """The year's revenue (credits to revenue accounts) and costs (debits to expense accounts).

    The close's own postings (service "surplus") are left out, so a re-run reads the same year.
    """
    start, end = year_bounds(year)
    rows = (
        Entry.objects.filter(
            currency=currency,
            account__type__in=[AccountType.REVENUE, AccountType.EXPENSE],
            transaction__created_at__gte=start,
            transaction__created_at__lt=end,
        )
        .exclude(transaction__service=SERVICE)
        .values("account__type")
        .annotate(total=Sum("amount_cents"))
    )
    totals = {row["account__type"]: row["total"] or 0 for row in rows}
    return (
        Money(-totals.get(AccountType.REVENUE, 0), currency),
        Money(totals.get(AccountType.EXPENSE, 0), currency),
    )


def _deposit_transactions() -> Q:
    """Ledger transactions of captured deposits and their refunds: what a late fee or a damage
    award on a common-store item pays into fee revenue compensates the co-op; it is no fee."""
    captured = Payment.objects.filter(purpose=PaymentPurpose.DEPOSIT).values("ledger_transaction")
    refunded = Refund.objects.filter(payment__purpose=PaymentPurpose.DEPOSIT).values(
        "ledger_transaction"
    )
    return Q(transaction__in=captured.exclude(ledger_transaction=None)) | Q(
        transaction__in=refunded.exclude(ledger_transaction=None)
    )


def _fees_paid(start: dt.datetime, end: dt.datetime, currency: str) -> dict[int, int]:
    rows = (
        Entry.objects.filter(
            currency=currency,
            account__kind=AccountKind.FEE_REVENUE,
            transaction__created_at__gte=start,
            transaction__created_at__lt=end,
            transaction__member__isnull=False,
        )
        .exclude(transaction__service=SERVICE)
        .exclude(_deposit_transactions())
        .values("transaction__member")
        .annotate(total=Sum("amount_cents"))
    )
    # Credits are negative; a member whose refunds outweigh their fees counts as zero.
    return {row["transaction__member"]: max(-row["total"], 0) for row in rows}


def _nights_hosted(start: dt.datetime, end: dt.datetime) -> dict[int, int]:
    from stays.models import Booking, BookingStatus  # noqa: PLC0415

    totals: dict[int, int] = defaultdict(int)
    rows = Booking.objects.filter(
        status=BookingStatus.CONFIRMED,
        check_out__gte=start.date(),
        check_out__lt=end.date(),
    ).values_list("listing__host_id", "check_in", "check_out")
    for host_id, check_in, check_out in rows:
        totals[host_id] += (check_out - check_in).days
    return totals


def _seats_driven(start: dt.datetime, end: dt.datetime) -> dict[int, int]:
    from rides.models import Booking, BookingStatus  # noqa: PLC0415

    rows = (
        Booking.objects.filter(
            status=BookingStatus.COMPLETED, completed_at__gte=start, completed_at__lt=end
        )
        .values(driver=F("offer__driver_id"))
        .annotate(total=Sum("seats"))
    )
    return {row["driver"]: row["total"] for row in rows}


def _items_lent(start: dt.datetime, end: dt.datetime) -> dict[int, int]:
    from lending.models import Reservation  # noqa: PLC0415

    rows = (
        Reservation.objects.filter(
            Q(returned_at__gte=start) & Q(returned_at__lt=end), item__owner__isnull=False
        )
        .values(owner=F("item__owner_id"))
        .annotate(total=Count("id"))
    )
    return {row["owner"]: row["total"] for row in rows}


def _minutes_given(start: dt.datetime, end: dt.datetime) -> dict[int, int]:
    from timebank.models import Exchange, ExchangeStatus  # noqa: PLC0415

    rows = (
        Exchange.objects.filter(
            status=ExchangeStatus.CONFIRMED, confirmed_at__gte=start, confirmed_at__lt=end
        )
        .values("provider_id")
        .annotate(total=Sum("minutes"))
    )
    return {row["provider_id"]: row["total"] for row in rows}


def activity_for_year(*, year: int, currency: str) -> dict[int, dict[str, int]]:
    """Each member's quantities per measure in `year` (members with no activity are absent)."""
    start, end = year_bounds(year)
    per_measure = {
        "fees_paid": _fees_paid(start, end, currency),
        "nights_hosted": _nights_hosted(start, end),
        "seats_driven": _seats_driven(start, end),
        "items_lent": _items_lent(start, end),
        "minutes_given": _minutes_given(start, end),
    }
    activity: dict[int, dict[str, int]] = defaultdict(dict)
    for key, totals in per_measure.items():
        for member_id, quantity in totals.items():
            if member_id is not None and quantity:
                activity[member_id][key] = int(quantity)
    return dict(activity)
