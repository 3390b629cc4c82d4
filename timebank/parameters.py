"""Platform parameters of the timebank (members change them by vote)."""

from __future__ import annotations

from governance.parameters import parameter_declare

MIN_BALANCE = parameter_declare(
    key="timebank.min_balance_minutes",
    label="Lowest balance of a member's time account",
    description="How far into debt a member may go, in minutes (negative). -600 is -10 hours.",
    default=-600,
    unit="minutes",
    minimum=-6000,
    maximum=0,
)
MAX_BALANCE = parameter_declare(
    key="timebank.max_balance_minutes",
    label="Highest balance of a member's time account",
    description="How many minutes a member may hold, so nobody hoards hours. 2400 is 40 hours.",
    default=2400,
    unit="minutes",
    minimum=60,
    maximum=60000,
)
COMMUNITY_MIN_BALANCE = parameter_declare(
    key="timebank.community_min_balance_minutes",
    label="Lowest balance of the community account",
    description=(
        "How far the co-op's community account may go into debt paying for chores, in minutes "
        "(negative). It has no upper limit: members can always give hours to it."
    ),
    default=-12000,
    unit="minutes",
    minimum=-600000,
    maximum=0,
)
AUTO_CONFIRM_DAYS = parameter_declare(
    key="timebank.auto_confirm_days",
    label="Days before a completed exchange is confirmed automatically",
    description=(
        "If the receiver neither confirms nor disputes a completed exchange, it is confirmed "
        "after this many days."
    ),
    default=7,
    unit="days",
    minimum=1,
    maximum=60,
)
DIGEST_RADIUS = parameter_declare(
    key="timebank.digest_radius_km",
    label="Radius of the weekly digest",
    description=(
        "The weekly email lists new offers and requests within this distance of a member's home."
    ),
    default=3,
    unit="km",
    minimum=1,
    maximum=50,
)
ROTA_RADIUS = parameter_declare(
    key="timebank.chore_radius_km",
    label="Distance counted as near for community chores",
    description="The chore rota prefers members living within this distance of the chore.",
    default=5,
    unit="km",
    minimum=1,
    maximum=100,
)
