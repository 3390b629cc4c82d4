"""What every part of the rides service shares: places, the published price formula and the
input checks."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from coop.exceptions import InvalidInput
from coop.geo.points import Point
from coop.members.models import User
from governance.parameters import parameter_value
from rides import matching, selectors
from rides.exceptions import (
    RidesNotAllowed,
)
from rides.models import (
    MAX_SEATS,
    Offer,
)


@dataclass(frozen=True, slots=True)
class Place:
    point: Point
    label: str


# --- Price: published formula --------------------------------------------------------------


def road_km(route: Sequence[Point]) -> float:
    return matching.route_length_km(route) * selectors.matching_settings().road_factor


def price_cap_cents(*, distance_km: float, seats: int) -> int:
    """The cost-sharing cap per seat: road km x cost per km, shared among the driver and the
    seats offered, rounded down to the cent. It is also the suggested price."""
    trip_cost = distance_km * parameter_value("rides.cost_per_km_cents")
    return math.floor(trip_cost / (seats + 1))


def passenger_price_cents(*, offer: Offer, shared_km: float, seats: int) -> int:
    """A passenger riding part of the trip pays that part of the seat price (rounded up)."""
    share = 1.0 if offer.distance_km <= 0 else min(1.0, shared_km / offer.distance_km)
    return seats * math.ceil(offer.price_per_seat_cents * share)


# --- Validation helpers ----------------------------------------------------------------------


def _check_member(user: User) -> None:
    if not user.in_good_standing:
        raise RidesNotAllowed("Only members in good standing can share rides.")


def _check_seats(seats: int, *, field: str = "seats") -> None:
    if isinstance(seats, bool) or not isinstance(seats, int) or not 1 <= seats <= MAX_SEATS:
        raise InvalidInput(
            code="invalid_seats",
            message=f"Seats must be between 1 and {MAX_SEATS}.",
            fields={field: [f"Between 1 and {MAX_SEATS}."]},
        )


def _check_future(departs_at: datetime) -> None:
    if timezone.is_naive(departs_at):
        raise InvalidInput(
            code="invalid_departure",
            message="Give the departure time with its time zone.",
            fields={"departs_at": ["Include a UTC offset."]},
        )
    if departs_at <= timezone.now():
        raise InvalidInput(
            code="departure_in_past",
            message="The departure time has already passed.",
            fields={"departs_at": ["Must be in the future."]},
        )


def _check_label(label: str, field: str) -> str:
    label = " ".join(label.split())
    if not label or len(label) > 120:
        raise InvalidInput(fields={field: ["Give a name of 1 to 120 characters."]})
    return label


def _driver_limits(
    max_detour_km: float | None, max_detour_minutes: float | None, problems: dict[str, list[str]]
) -> dict[str, float]:
    """The driver's own detour limits, the co-op's at most (and by default)."""
    limits = {
        "max_detour_km": (max_detour_km, parameter_value("rides.max_detour_km")),
        "max_detour_minutes": (max_detour_minutes, parameter_value("rides.max_detour_minutes")),
    }
    chosen: dict[str, float] = {}
    for name, (value, cap) in limits.items():
        if value is None:
            chosen[name] = float(cap)
        elif not 0 <= value <= cap:
            problems[name] = [f"Between 0 and {cap} (the co-op's limit)."]
        else:
            chosen[name] = float(value)
    return chosen
