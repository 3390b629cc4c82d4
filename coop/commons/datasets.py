"""The open datasets: what each one counts, whose consent it needs, and the k-anonymity filter.

Every builder reads one month and returns aggregates that carry the set of members behind them.
The set never leaves this module: it is used to drop aggregates with fewer than k distinct
members (`commons.k_anonymity`) and then discarded, so no output carries a member identifier.
Optional datasets only count records whose every member has consented to the dataset's purpose;
the EU 2024/1028 stays report is a legal obligation and is neither consent-gated nor suppressed
(it is per registered unit by law and carries no member identifier).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from coop.algorithms import algorithm_register
from coop.commons.grid import cell_centre, cell_of, cell_polygon
from coop.commons.models import Consent, Purpose
from coop.exceptions import InvalidInput, NotFound
from governance.parameters import parameter_value

K_ANONYMITY = algorithm_register(
    slug="commons.k_anonymity",
    name="k-anonymity of the city datasets",
    version="1",
    description=(
        "Before a dataset is shared with the city, each figure is checked: if fewer than k "
        "different members are behind it, it is left out. Places are coarse cells of about "
        "5 km² and times are rounded to the hour, and no member identifier is ever shared. "
        "Only members who said yes to a purpose are counted in its datasets."
    ),
    parameter_keys=("commons.k_anonymity",),
    constants={"cell_lat_degrees": 0.02, "cell_lng_degrees": 0.03, "time_rounding": "hour"},
)

LEGAL_METHOD = (
    "Required by EU Regulation 2024/1028 (short-term rental data): one row per stay with the "
    "unit's registration number, nights and guests. No names, addresses or member identifiers."
)


@dataclass(slots=True)
class Aggregate:
    values: dict[str, Any]
    members: set[int] = field(default_factory=set)
    geometry: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Month:
    period: str
    first_day: dt.date
    next_first_day: dt.date

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.first_day, dt.time()))

    @property
    def end(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.next_first_day, dt.time()))


def month_parse(period: str) -> Month:
    match = re.fullmatch(r"(\d{4})-(\d{2})", period)
    month = int(match.group(2)) if match else 0
    if match is None or not 1 <= month <= 12:
        raise InvalidInput(
            "The period must be a month written YYYY-MM.",
            fields={"period": ["Write the month as YYYY-MM, e.g. 2026-03."]},
        )
    first = dt.date(int(match.group(1)), month, 1)
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return Month(period, first, following)


def consenting(purpose: Purpose) -> set[int]:
    return set(
        Consent.objects.filter(purpose=purpose, granted=True).values_list("member_id", flat=True)
    )


# --- Builders ---------------------------------------------------------------------------------


def _stays_activity(month: Month) -> list[Aggregate]:
    from stays.models import StayRecord  # noqa: PLC0415 (keeps the commons importable alone)

    records = StayRecord.objects.filter(
        cancelled=False, check_in__gte=month.first_day, check_in__lt=month.next_first_day
    ).order_by("registration_number", "check_in", "id")
    return [
        Aggregate(
            values={
                "registration_number": r.registration_number,
                "zone": r.zone_slug,
                "nights": r.nights,
                "guests": r.guests,
            }
        )
        for r in records.only("registration_number", "zone_slug", "nights", "guests")
    ]


def _stays_nights_by_zone(month: Month) -> list[Aggregate]:
    from stays.models import StayRecord, Zone  # noqa: PLC0415

    allowed = consenting(Purpose.STAYS_ZONES)
    rows = StayRecord.objects.filter(
        cancelled=False,
        check_in__gte=month.first_day,
        check_in__lt=month.next_first_day,
        booking__listing__host_id__in=allowed,
    ).values_list("zone_slug", "nights", "booking__listing__host_id")
    groups: dict[str, Aggregate] = {}
    for zone, nights, host_id in rows:
        group = groups.setdefault(zone, Aggregate({"zone": zone, "stays": 0, "nights": 0}))
        group.values["stays"] += 1
        group.values["nights"] += nights
        group.members.add(host_id)
    polygons = dict(Zone.objects.filter(slug__in=groups).values_list("slug", "polygon"))
    for zone, group in groups.items():
        ring = polygons.get(zone)
        if ring:
            group.geometry = {
                "type": "Polygon",
                "coordinates": [[[lng, lat] for lat, lng in ring]],
            }
    return sorted(groups.values(), key=lambda g: g.values["zone"])


def _completed_rides(month: Month) -> Any:
    from rides.models import Booking, BookingStatus  # noqa: PLC0415

    allowed = consenting(Purpose.RIDES)
    return Booking.objects.filter(
        status=BookingStatus.COMPLETED,
        offer__departs_at__gte=month.start,
        offer__departs_at__lt=month.end,
        passenger_id__in=allowed,
        offer__driver_id__in=allowed,
    )


def _ride_flows(month: Month) -> list[Aggregate]:
    rows = _completed_rides(month).values_list(
        "pickup_lat",
        "pickup_lng",
        "dropoff_lat",
        "dropoff_lng",
        "offer__departs_at",
        "seats",
        "passenger_id",
        "offer__driver_id",
    )
    groups: dict[tuple[str, str, int], Aggregate] = {}
    for p_lat, p_lng, d_lat, d_lng, departs_at, seats, passenger_id, driver_id in rows:
        origin, destination = cell_of(p_lat, p_lng), cell_of(d_lat, d_lng)
        hour = timezone.localtime(departs_at).hour
        key = (origin, destination, hour)
        group = groups.setdefault(
            key,
            Aggregate(
                {
                    "origin_cell": origin,
                    "destination_cell": destination,
                    "hour": hour,
                    "trips": 0,
                    "passengers": 0,
                },
                geometry={
                    "type": "LineString",
                    "coordinates": [cell_centre(origin), cell_centre(destination)],
                },
            ),
        )
        group.values["trips"] += 1
        group.values["passengers"] += seats
        group.members.update((passenger_id, driver_id))
    return [groups[key] for key in sorted(groups)]


def _rides_co2(month: Month) -> list[Aggregate]:
    grams_per_km = parameter_value("rides.co2_grams_per_km")
    rows = _completed_rides(month).values_list(
        "shared_km", "seats", "passenger_id", "offer__driver_id"
    )
    total = Aggregate({"month": month.period, "shared_passenger_km": 0.0, "co2_saved_grams": 0})
    for km, seats, passenger_id, driver_id in rows:
        total.values["shared_passenger_km"] += km * seats
        total.members.update((passenger_id, driver_id))
    # Same formula as rides.selectors: each passenger-kilometre is a car-kilometre not driven.
    total.values["co2_saved_grams"] = round(total.values["shared_passenger_km"] * grams_per_km)
    total.values["shared_passenger_km"] = round(total.values["shared_passenger_km"], 1)
    return [total] if total.members else []


def _lending_loans(month: Month) -> list[Aggregate]:
    from lending.models import Reservation, ReservationStatus  # noqa: PLC0415

    allowed = consenting(Purpose.LENDING)
    rows = (
        Reservation.objects.filter(
            status__in=[
                ReservationStatus.PICKED_UP,
                ReservationStatus.RETURNED,
                ReservationStatus.CLOSED,
            ],
            starts_at__gte=month.start,
            starts_at__lt=month.end,
            borrower_id__in=allowed,
        )
        .filter(Q(item__is_common_store=True) | Q(item__owner_id__in=allowed))
        .values_list("item__category", "item__pickup_lat", "item__pickup_lng", "borrower_id")
    )
    groups: dict[tuple[str, str], Aggregate] = {}
    for category, lat, lng, borrower_id in rows:
        cell = cell_of(lat, lng)
        group = groups.setdefault(
            (category, cell),
            Aggregate(
                {"category": category, "cell": cell, "loans": 0}, geometry=cell_polygon(cell)
            ),
        )
        group.values["loans"] += 1
        group.members.add(borrower_id)
    return [groups[key] for key in sorted(groups)]


def _timebank_hours(month: Month) -> list[Aggregate]:
    from timebank.models import Exchange, ExchangeStatus  # noqa: PLC0415

    allowed = consenting(Purpose.TIMEBANK)
    rows = Exchange.objects.filter(
        status=ExchangeStatus.CONFIRMED,
        confirmed_at__gte=month.start,
        confirmed_at__lt=month.end,
        provider_id__in=allowed,
        receiver_id__in=allowed,
    ).values_list(
        "post__category", "post__lat", "post__lng", "minutes", "provider_id", "receiver_id"
    )
    groups: dict[tuple[str, str], Aggregate] = {}
    for category, lat, lng, minutes, provider_id, receiver_id in rows:
        cell = cell_of(lat, lng) if lat is not None and lng is not None else ""
        group = groups.setdefault(
            (category, cell),
            Aggregate(
                {"category": category, "cell": cell, "exchanges": 0, "minutes": 0},
                geometry=cell_polygon(cell) if cell else None,
            ),
        )
        group.values["exchanges"] += 1
        group.values["minutes"] += minutes
        group.members.update((provider_id, receiver_id))
    for group in groups.values():
        group.values["hours"] = round(group.values.pop("minutes") / 60, 2)
    return [groups[key] for key in sorted(groups)]


# --- Register ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dataset:
    slug: str
    title: str
    description: str
    purpose: Purpose | None  # None: a legal obligation, shared without consent or suppression.
    has_geometry: bool
    build: Callable[[Month], list[Aggregate]]

    @property
    def formats(self) -> list[str]:
        return ["json", "csv", "geojson"] if self.has_geometry else ["json", "csv"]

    def privacy(self, *, suppressed_rows: int | None = None) -> dict[str, Any]:
        if self.purpose is None:
            return {"method": "legal_obligation", "description": LEGAL_METHOD}
        method: dict[str, Any] = {
            "method": "k_anonymity",
            "algorithm": {"slug": K_ANONYMITY.slug, "version": K_ANONYMITY.version},
            "k": parameter_value("commons.k_anonymity"),
            "consent_purpose": self.purpose.value,
            "description": K_ANONYMITY.description,
        }
        if suppressed_rows is not None:
            method["suppressed_rows"] = suppressed_rows
        return method


DATASETS: dict[str, Dataset] = {
    d.slug: d
    for d in (
        Dataset(
            "stays-activity",
            "Short-stay activity per registered unit (EU 2024/1028)",
            "Every stay that started in the month: registration number, zone, nights, guests.",
            None,
            False,
            _stays_activity,
        ),
        Dataset(
            "stays-nights-by-zone",
            "Nights hosted per zone",
            "Stays and nights that started in the month, per city zone.",
            Purpose.STAYS_ZONES,
            True,
            _stays_nights_by_zone,
        ),
        Dataset(
            "ride-flows",
            "Shared-ride flows between cells by hour",
            "Completed shared rides per origin cell, destination cell and hour of departure.",
            Purpose.RIDES,
            True,
            _ride_flows,
        ),
        Dataset(
            "rides-co2",
            "CO2 saved by shared rides",
            "Passenger-kilometres shared in the month and the car emissions they avoided.",
            Purpose.RIDES,
            False,
            _rides_co2,
        ),
        Dataset(
            "lending-loans",
            "Loans per category and cell",
            "Things borrowed in the month, per category and the cell where they were picked up.",
            Purpose.LENDING,
            True,
            _lending_loans,
        ),
        Dataset(
            "timebank-hours",
            "Timebank hours per category and cell",
            "Hours of help confirmed in the month, per category and cell (blank: no place given).",
            Purpose.TIMEBANK,
            True,
            _timebank_hours,
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Extract:
    dataset: Dataset
    month: Month
    rows: list[Aggregate]
    privacy: dict[str, Any]


def dataset_get(slug: str) -> Dataset:
    try:
        return DATASETS[slug]
    except KeyError:
        raise NotFound(f"There is no dataset {slug!r}.") from None


def dataset_extract(*, dataset: Dataset, month: Month) -> Extract:
    """The month's aggregates, with those behind fewer than k members removed."""
    rows = dataset.build(month)
    if dataset.purpose is None:
        return Extract(dataset, month, rows, dataset.privacy())
    k = parameter_value("commons.k_anonymity")
    kept = [row for row in rows if len(row.members) >= k]
    return Extract(dataset, month, kept, dataset.privacy(suppressed_rows=len(rows) - len(kept)))
