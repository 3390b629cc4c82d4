"""Platform parameters: the numbers members decide by vote (fees, caps, limits, prices).

Each service declares the parameters it reads, with a default, a unit and a range, in its own
`parameters.py` (imported at start-up by GovernanceConfig.ready). Services read the live value
with `parameter_value(key)`; they never hard-code a number the members could change.

Every value is an integer in the unit its key names: cents, minutes, basis points (1/100 of a
percent), kilometres, counts, or 0/1 for yes/no. Integers keep money and time exact and make
every value comparable and auditable.

The governance app stores versioned values, each set by a decision; until a decision has set a
value, the declared default applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coop.exceptions import InvalidInput, NotFound

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
UNITS = ("cents", "minutes", "basis_points", "percent", "km", "count", "days", "hours", "flag")


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    key: str  # "<app>.<name>", e.g. "timebank.min_balance_minutes"
    label: str
    description: str
    default: int
    unit: str
    minimum: int
    maximum: int

    def __post_init__(self) -> None:
        if not _KEY_RE.match(self.key):
            raise ValueError(f"Parameter key {self.key!r} must look like 'app.name'.")
        if self.unit not in UNITS:
            raise ValueError(f"Parameter {self.key}: unit {self.unit!r} is not one of {UNITS}.")
        if not self.minimum <= self.default <= self.maximum:
            raise ValueError(f"Parameter {self.key}: default is outside its own range.")

    def validate(self, value: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidParameterValue(
                fields={self.key: ["Must be a whole number."]},
            )
        if not self.minimum <= value <= self.maximum:
            raise InvalidParameterValue(
                f"{self.label} must be between {self.minimum} and {self.maximum} {self.unit}.",
                fields={self.key: [f"Between {self.minimum} and {self.maximum}."]},
            )
        return value


class InvalidParameterValue(InvalidInput):
    code = "invalid_parameter_value"
    default_message = "That value is outside what the parameter allows."


class UnknownParameter(NotFound):
    code = "unknown_parameter"
    default_message = "There is no platform parameter with that key."


_REGISTRY: dict[str, ParameterSpec] = {}


def parameter_declare(
    *,
    key: str,
    label: str,
    description: str,
    default: int,
    unit: str,
    minimum: int,
    maximum: int,
) -> ParameterSpec:
    """Declare a parameter (at import time of an app's `parameters.py`). Idempotent."""
    spec = ParameterSpec(key, label, description, default, unit, minimum, maximum)
    existing = _REGISTRY.get(key)
    if existing is not None and existing != spec:
        raise ValueError(f"Parameter {key} is declared twice with different definitions.")
    _REGISTRY[key] = spec
    return spec


def parameter_spec(key: str) -> ParameterSpec:
    try:
        return _REGISTRY[key]
    except KeyError:
        raise UnknownParameter(f"There is no platform parameter {key!r}.") from None


def parameter_specs() -> list[ParameterSpec]:
    return sorted(_REGISTRY.values(), key=lambda spec: spec.key)


def parameter_value(key: str) -> int:
    """The live value of a parameter: the latest decided value, or the declared default."""
    spec = parameter_spec(key)
    from governance.selectors import parameter_current_value  # noqa: PLC0415 (models load late)

    value = parameter_current_value(key=key)
    return spec.default if value is None else value


# --- The parameters governance itself reads ---

parameter_declare(
    key="governance.sponsor_threshold",
    label="Sponsors a proposal needs",
    description=(
        "How many members (besides the author) must sponsor a proposal to put it to a ballot."
    ),
    default=5,
    unit="count",
    minimum=1,
    maximum=1000,
)
parameter_declare(
    key="governance.max_proxies_per_member",
    label="Proxies one member may hold",
    description="How many other members may name the same member as their proxy on one ballot.",
    default=2,
    unit="count",
    minimum=0,
    maximum=20,
)
parameter_declare(
    key="governance.closing_soon_hours",
    label="Closing-soon reminder",
    description="How many hours before a ballot closes members who have not voted are reminded.",
    default=24,
    unit="hours",
    minimum=1,
    maximum=168,
)
parameter_declare(
    key="governance.ballot_days",
    label="Length of a proposal's ballot",
    description="How many days the ballot of a sufficiently sponsored proposal stays open.",
    default=7,
    unit="days",
    minimum=1,
    maximum=60,
)
parameter_declare(
    key="governance.proposal_quorum_percent",
    label="Quorum of a proposal's ballot",
    description="The share of the roll that must vote for a proposal's ballot to be valid.",
    default=10,
    unit="percent",
    minimum=0,
    maximum=100,
)
