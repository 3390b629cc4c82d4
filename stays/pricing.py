"""The price of a stay and the refund on cancellation: the two published stays algorithms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from coop.algorithms import algorithm_register
from coop.money.amounts import Money, percent_of
from governance.parameters import parameter_value
from stays.models import CancellationPolicy, Listing

QUOTE = algorithm_register(
    slug="stays.quote",
    name="Stay price",
    version="1",
    description=(
        "nights x nightly price + cleaning fee + co-op fee. The fee is a share of nights plus "
        "cleaning (rounded half up to the cent); the community share is a share of the fee and "
        "goes to the project the guest picks. The lines always sum to the total."
    ),
    parameter_keys=("stays.coop_fee_basis_points", "stays.community_share_basis_points"),
    constants={},
)

# Refund rules per policy, published as they are applied: (days before check-in at least, share
# of the total refunded in basis points), first match wins; later than every threshold: nothing.
REFUND_RULES: dict[str, tuple[tuple[int, int], ...]] = {
    CancellationPolicy.FLEXIBLE: ((1, 10000),),
    CancellationPolicy.MODERATE: ((5, 10000), (1, 5000)),
    CancellationPolicy.STRICT: ((14, 10000), (7, 5000)),
}

REFUNDS = algorithm_register(
    slug="stays.refund",
    name="Stay cancellation refund",
    version="1",
    description=(
        "A guest who cancels before check-in gets back a share of the total by policy and by "
        "how many days before check-in they cancel: flexible 100% at least 1 day before; "
        "moderate 100% at least 5 days before, 50% at least 1 day before; strict 100% at least "
        "14 days before, 50% at least 7 days before; otherwise nothing. A host who cancels "
        "refunds everything. The refund is split back over host, co-op fee and community share "
        "in proportion, so nobody profits from a cancellation."
    ),
    parameter_keys=(),
    constants={"rules": {k: [list(r) for r in v] for k, v in REFUND_RULES.items()}},
)


@dataclass(frozen=True, slots=True)
class Quote:
    nights: int
    nights_total: Money
    cleaning: Money
    coop_fee: Money
    community_share: Money
    total: Money

    @property
    def host_share(self) -> Money:
        return self.nights_total + self.cleaning

    @property
    def fee_revenue(self) -> Money:
        return self.coop_fee - self.community_share


def stay_quote(*, listing: Listing, check_in: dt.date, check_out: dt.date) -> Quote:
    nights = (check_out - check_in).days
    nightly = Money(listing.nightly_price_cents, listing.currency)
    nights_total = Money(nightly.cents * nights, listing.currency)
    cleaning = Money(listing.cleaning_fee_cents, listing.currency)
    fee = percent_of(
        nights_total + cleaning, basis_points=parameter_value("stays.coop_fee_basis_points")
    )
    share = percent_of(fee, basis_points=parameter_value("stays.community_share_basis_points"))
    return Quote(
        nights=nights,
        nights_total=nights_total,
        cleaning=cleaning,
        coop_fee=fee,
        community_share=share,
        total=nights_total + cleaning + fee,
    )


def refund_basis_points(*, policy: str, check_in: dt.date, today: dt.date, by_host: bool) -> int:
    if by_host:
        return 10000
    if today >= check_in:
        return 0
    days_before = (check_in - today).days
    for threshold, share in REFUND_RULES[policy]:
        if days_before >= threshold:
            return share
    return 0
