"""Platform parameters of the lending service (members change them by vote)."""

from __future__ import annotations

from governance.parameters import parameter_declare

LATE_FEE_RATE = parameter_declare(
    key="lending.late_fee_rate_cents",
    label="Late fee per started period",
    description="What a late return costs for each started late period, in cents.",
    default=200,
    unit="cents",
    minimum=0,
    maximum=10000,
)
LATE_FEE_PERIOD = parameter_declare(
    key="lending.late_fee_period_hours",
    label="Length of a late-fee period",
    description="A late return pays the rate once per started period of this many hours.",
    default=24,
    unit="hours",
    minimum=1,
    maximum=720,
)
LATE_FEE_CAP = parameter_declare(
    key="lending.late_fee_cap_basis_points",
    label="Late fee cap, as a share of the replacement value",
    description="The late fee never exceeds this share of the item's replacement value "
    "(5000 basis points is half).",
    default=5000,
    unit="basis_points",
    minimum=0,
    maximum=10000,
)
REQUEST_EXPIRY_HOURS = parameter_declare(
    key="lending.request_expiry_hours",
    label="Hours before an unanswered request expires",
    description="A request the owner has not answered in this many hours (or by its start) "
    "expires and frees the calendar.",
    default=48,
    unit="hours",
    minimum=1,
    maximum=720,
)
REMINDER_HOURS = parameter_declare(
    key="lending.reminder_hours",
    label="Hours before pickup and due time to remind",
    description="Borrowers are reminded this many hours before pickup and before the due time.",
    default=12,
    unit="hours",
    minimum=1,
    maximum=168,
)
WANTED_THRESHOLD = parameter_declare(
    key="lending.wanted_threshold_members",
    label="Members wanting the same kind of thing to prompt a collective purchase",
    description="How many different members near each other must want something of one "
    "category within the window before the co-op is prompted to buy one.",
    default=5,
    unit="count",
    minimum=2,
    maximum=1000,
)
WANTED_RADIUS = parameter_declare(
    key="lending.wanted_radius_km",
    label="Distance within which wanted posts count together",
    description="Wanted posts count towards one collective purchase when within this many km.",
    default=2,
    unit="km",
    minimum=1,
    maximum=50,
)
WANTED_WINDOW = parameter_declare(
    key="lending.wanted_window_days",
    label="Days a wanted post counts towards a collective purchase",
    description="Only wanted posts from the last this many days count.",
    default=60,
    unit="days",
    minimum=1,
    maximum=365,
)
HOLD_OFFER_HOURS = parameter_declare(
    key="lending.hold_offer_hours",
    label="Hours a freed item is kept for the first member in its queue",
    description="When an item frees up, the first member waiting is offered it; if they do not "
    "reserve it within this many hours, the offer passes to the next member.",
    default=24,
    unit="hours",
    minimum=1,
    maximum=168,
)
