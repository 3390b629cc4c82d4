"""Platform parameters of the rides service (members change them by vote)."""

from __future__ import annotations

from governance.parameters import parameter_declare

COST_PER_KM = parameter_declare(
    key="rides.cost_per_km_cents",
    label="Cost of driving one kilometre",
    description=(
        "Fuel and wear of an average car per road kilometre, in cents. A trip costs its road "
        "distance times this; the price per seat is capped at that cost shared among everybody "
        "in the car (driver included)."
    ),
    default=20,
    unit="cents",
    minimum=1,
    maximum=200,
)
MAX_DETOUR_KM = parameter_declare(
    key="rides.max_detour_km",
    label="Longest detour for a passenger",
    description="A driver never drives more than this many extra road kilometres for a pickup.",
    default=10,
    unit="km",
    minimum=1,
    maximum=100,
)
MAX_DETOUR_MINUTES = parameter_declare(
    key="rides.max_detour_minutes",
    label="Longest detour in time",
    description="A driver never spends more than this many extra minutes for a pickup.",
    default=15,
    unit="minutes",
    minimum=1,
    maximum=120,
)
MAX_DETOUR_PERCENT = parameter_declare(
    key="rides.max_detour_percent",
    label="Longest detour as a share of the trip",
    description="The detour is at most this percentage of the driver's own trip (Mobicoop: 33).",
    default=33,
    unit="percent",
    minimum=1,
    maximum=100,
)
MAX_WALK_KM = parameter_declare(
    key="rides.max_walk_km",
    label="Longest walk to a pickup or from a drop-off",
    description=(
        "A passenger may be picked up on the driver's route instead of at their door when the "
        "walk is at most this long. 0 means door to door only."
    ),
    default=1,
    unit="km",
    minimum=0,
    maximum=5,
)
ROAD_FACTOR = parameter_declare(
    key="rides.road_factor_basis_points",
    label="Road factor",
    description=(
        "Roads are longer than straight lines: road kilometres are the great-circle distance "
        "times this factor, in basis points (13000 = 1.3)."
    ),
    default=13000,
    unit="basis_points",
    minimum=10000,
    maximum=20000,
)
SPEED = parameter_declare(
    key="rides.speed_kmh",
    label="Average speed in the city",
    description="Detour minutes are detour road kilometres at this speed (km per hour).",
    default=30,
    unit="km",
    minimum=5,
    maximum=130,
)
MIN_SHARE = parameter_declare(
    key="rides.min_share_percent",
    label="Smallest fair share of a trip",
    description=(
        "A passenger rides at least this percentage of the driver's trip, and never makes the "
        "driver detour further than the passenger rides."
    ),
    default=10,
    unit="percent",
    minimum=0,
    maximum=100,
)
CO2_GRAMS_PER_KM = parameter_declare(
    key="rides.co2_grams_per_km",
    label="CO2 emitted by a car per kilometre",
    description=(
        "Grams of CO2 an average car emits per kilometre (EEA average for new cars: 108-120). "
        "Each passenger-kilometre shared saves this much, the estimate shown per trip."
    ),
    default=120,
    unit="count",
    minimum=0,
    maximum=500,
)
FREE_CANCEL_HOURS = parameter_declare(
    key="rides.free_cancel_hours",
    label="Free cancellation until (hours before departure)",
    description=(
        "A passenger who cancels at least this many hours before departure pays nothing. Later "
        "than that, part of the seat price goes to the driver, who kept the seat free."
    ),
    default=2,
    unit="hours",
    minimum=0,
    maximum=72,
)
LATE_CANCEL_SHARE = parameter_declare(
    key="rides.late_cancel_basis_points",
    label="Share of the seat price for a late cancellation",
    description=(
        "What a passenger pays the driver when cancelling later than the free cancellation "
        "time, in basis points of the seat price (5000 = half). A driver who cancels always "
        "refunds everything."
    ),
    default=5000,
    unit="basis_points",
    minimum=0,
    maximum=10000,
)
PAYMENT_HOLD_MINUTES = parameter_declare(
    key="rides.payment_hold_minutes",
    label="How long a booking holds its seats for payment",
    description=(
        "Minutes a passenger has to authorise the hold of the seat price on their card. A "
        "booking still unpaid after that releases its seats for other passengers."
    ),
    default=15,
    unit="minutes",
    minimum=5,
    maximum=120,
)
