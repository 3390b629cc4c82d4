"""Platform parameters of stays (members change them by vote). Zone policies: see stays/zones.py."""

from __future__ import annotations

from governance.parameters import parameter_declare
from stays.barcelona import DISTRICTS

parameter_declare(
    key="stays.coop_fee_basis_points",
    label="Co-op fee on stays",
    description="The co-op's fee on a stay, in basis points of nights plus cleaning (1500 = 15%).",
    default=1500,
    unit="basis_points",
    minimum=0,
    maximum=5000,
)
parameter_declare(
    key="stays.community_share_basis_points",
    label="Community share of the stays fee",
    description=(
        "The part of the co-op fee that goes to the community project the guest picks, in basis "
        "points of the fee (5000 = half)."
    ),
    default=5000,
    unit="basis_points",
    minimum=0,
    maximum=10000,
)
parameter_declare(
    key="stays.payment_hold_minutes",
    label="How long an instant booking holds its nights for payment",
    description="Minutes a guest has to pay an instant booking before its nights are released.",
    default=15,
    unit="minutes",
    minimum=5,
    maximum=120,
)
parameter_declare(
    key="stays.request_expiry_hours",
    label="How long a host has to answer a booking request",
    description="Hours after which an unanswered request to book expires and frees its nights.",
    default=48,
    unit="hours",
    minimum=1,
    maximum=168,
)
parameter_declare(
    key="stays.accepted_payment_hold_hours",
    label="How long an accepted request waits for payment",
    description="Hours a guest has to pay once the host accepted their request.",
    default=24,
    unit="hours",
    minimum=1,
    maximum=72,
)
parameter_declare(
    key="stays.review_window_days",
    label="Days to write a stay review",
    description=(
        "Reviews are published when both sides have written theirs, or this many days after "
        "check-out, whichever comes first."
    ),
    default=14,
    unit="days",
    minimum=1,
    maximum=60,
)

_RULES = {
    "licence_required": ("flag", 0, 1, "A licence number is required to list a home."),
    "max_nights": ("count", 0, 366, "Nights a home may be let per calendar year."),
    "max_guests": ("count", 1, 30, "Guests per stay."),
    "new_listings": ("flag", 0, 1, "New listings are allowed (0 freezes the zone)."),
}
_DEFAULTS = {"licence_required": 0, "max_nights": 90, "max_guests": 6, "new_listings": 1}

for _rule, (_unit, _minimum, _maximum, _what) in _RULES.items():
    parameter_declare(
        key=f"stays.zone_default.{_rule}",
        label=f"Stays outside declared zones: {_rule.replace('_', ' ')}",
        description=f"{_what} For homes in no zone, or a zone with no parameters of its own.",
        default=_DEFAULTS[_rule],
        unit=_unit,
        minimum=_minimum,
        maximum=_maximum,
    )

for _district in DISTRICTS:
    _key = _district.slug.replace("-", "_")
    for _rule, (_unit, _minimum, _maximum, _what) in _RULES.items():
        parameter_declare(
            key=f"stays.zone.{_key}.{_rule}",
            label=f"{_district.name}: {_rule.replace('_', ' ')}",
            description=f"{_what} (Zone {_district.name}.)",
            default=getattr(_district, _rule),
            unit=_unit,
            minimum=_minimum,
            maximum=_maximum,
        )
