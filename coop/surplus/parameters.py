"""Platform parameters of the surplus distribution (members change them by vote)."""

from __future__ import annotations

from governance.parameters import parameter_declare

# The legal minimum share of a co-op's surplus that goes to its indivisible reserves (20% under
# most Spanish regional co-operative laws); governance may raise the share, never lower it.
LEGAL_MINIMUM_RESERVES_BASIS_POINTS = 2000

RESERVES = parameter_declare(
    key="surplus.reserves_basis_points",
    label="Share of the surplus kept as reserves",
    description=(
        "Part of each year's surplus that goes to the co-op's indivisible reserves, in basis "
        "points (3000 = 30%). The law sets a minimum of 20%."
    ),
    default=3000,
    unit="basis_points",
    minimum=LEGAL_MINIMUM_RESERVES_BASIS_POINTS,
    maximum=10_000,
)
COMMUNITY = parameter_declare(
    key="surplus.community_basis_points",
    label="Share of the surplus given to the community fund",
    description=(
        "Part of each year's surplus that goes to the community fund, in basis points "
        "(1000 = 10%). What is left after reserves and the community fund is shared among "
        "members as the patronage dividend."
    ),
    default=1000,
    unit="basis_points",
    minimum=0,
    maximum=8000,
)

# Patronage weights: points per unit of each measure of activity. A member's dividend is the pool
# times their points over everyone's points.
WEIGHT_FEES = parameter_declare(
    key="surplus.weight_fees",
    label="Patronage points per cent of fees paid",
    description=(
        "Points a member earns for each cent of co-op fees paid as guest, passenger or borrower."
    ),
    default=1,
    unit="count",
    minimum=0,
    maximum=1000,
)
WEIGHT_NIGHTS = parameter_declare(
    key="surplus.weight_nights_hosted",
    label="Patronage points per night hosted",
    description="Points a host earns for each night a guest stayed in their home.",
    default=300,
    unit="count",
    minimum=0,
    maximum=100_000,
)
WEIGHT_SEATS = parameter_declare(
    key="surplus.weight_seats_driven",
    label="Patronage points per seat driven",
    description="Points a driver earns for each seat of a completed ride booking.",
    default=100,
    unit="count",
    minimum=0,
    maximum=100_000,
)
WEIGHT_LOANS = parameter_declare(
    key="surplus.weight_items_lent",
    label="Patronage points per item lent",
    description="Points an owner earns for each loan of their item that came back.",
    default=100,
    unit="count",
    minimum=0,
    maximum=100_000,
)
WEIGHT_MINUTES = parameter_declare(
    key="surplus.weight_minutes_given",
    label="Patronage points per minute given in the timebank",
    description=(
        "Points a member earns for each minute of confirmed timebank help given (60 per hour)."
    ),
    default=5,
    unit="count",
    minimum=0,
    maximum=10_000,
)
