"""Platform parameters of co-op money (members change them by vote)."""

from __future__ import annotations

from governance.parameters import parameter_declare

SHARE_PRICE = parameter_declare(
    key="money.share_price_cents",
    label="Price of a member share",
    description=(
        "What an applicant pays once to become a member, in cents; refunded when they leave. "
        "Every member has one vote however many shares they hold."
    ),
    default=5000,
    unit="cents",
    minimum=100,
    maximum=100_000,
)
