from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator

from coop.geo.schemas import PointSchema
from rides.models import MAX_SEATS


def _without_offset(value: time) -> time:
    # A time of day here is the co-op's local time ("08:15" every weekday); an offset would
    # make it ambiguous across daylight saving, and the databases cannot store one.
    if value.tzinfo is not None:
        raise ValueError("Give a local time of day without a UTC offset, like 08:15.")
    return value


LocalTime = Annotated[time, AfterValidator(_without_offset)]

FuelTypeName = Literal["petrol", "diesel", "hybrid", "electric", "lpg"]


class PlaceSchema(PointSchema):
    label: str = Field(..., min_length=1, max_length=120, examples=["Gràcia"])


class MemberRef(Schema):
    id: int
    display_name: str


class VehicleSchema(Schema):
    description: str = Field("", max_length=80, examples=["Blue Seat Ibiza"])
    seats: int = Field(5, ge=2, le=9, description="Seats in the car, the driver's included.")
    fuel_type: FuelTypeName = "petrol"


class OptionsSchema(Schema):
    luggage: bool = True
    bike: bool = False
    max_two_in_back: bool = False
    pets: bool = False
    smoking: bool = False
    quiet: bool = False


def _no_vehicle() -> VehicleSchema:
    return VehicleSchema(description="", seats=5)


def _default_options() -> OptionsSchema:
    return OptionsSchema()


class OfferIn(Schema):
    origin: PlaceSchema
    destination: PlaceSchema
    waypoints: list[PlaceSchema] = Field(default_factory=list, max_length=5)
    departs_at: datetime
    seats: int = Field(..., ge=1, le=MAX_SEATS)
    price_per_seat_cents: int | None = Field(
        None, ge=0, description="Omit for the suggested price (the cost-sharing cap)."
    )
    vehicle: VehicleSchema = Field(default_factory=_no_vehicle)
    options: OptionsSchema = Field(default_factory=_default_options)
    instant_booking: bool = False
    max_detour_km: float | None = Field(None, ge=0)
    max_detour_minutes: float | None = Field(None, ge=0)


class OfferOut(Schema):
    id: int
    driver: MemberRef
    origin: PlaceSchema
    destination: PlaceSchema
    waypoints: list[PlaceSchema]
    departs_at: datetime
    seats: int
    seats_left: int
    price_per_seat_cents: int
    price_cap_cents: int
    currency: str
    distance_km: float
    vehicle: VehicleSchema
    options: OptionsSchema
    instant_booking: bool
    status: str
    limits: dict[str, float]
    co2_saved_grams: int


class MatchOut(Schema):
    offer: OfferOut
    pickup: PointSchema
    dropoff: PointSchema
    price_cents: int = Field(
        ..., description="For the seats asked, for the part of the trip ridden."
    )
    explanation: dict[str, Any]


class BookingIn(Schema):
    seats: int = Field(..., ge=1, le=MAX_SEATS)
    pickup: PointSchema
    dropoff: PointSchema


class PaymentOut(Schema):
    client_secret: str
    status: str


class BookingOut(Schema):
    id: int
    offer_id: int
    passenger: MemberRef
    seats: int
    pickup: PointSchema
    dropoff: PointSchema
    shared_km: float
    price_cents: int
    currency: str
    status: str
    code: str | None = Field(None, description="Only for the passenger: the completion proof.")
    payment: PaymentOut | None = None
    paid: bool = Field(
        ..., description="The seat price is held on (or taken from) the passenger's card."
    )
    pay_by: datetime | None = Field(
        None, description="Unpaid by then, the booking is released (rides.payment_hold_minutes)."
    )
    created_at: datetime


class CompleteIn(Schema):
    code: str = Field(..., min_length=1, max_length=12)


class StatusIn(Schema):
    status: Literal["boarding", "under_way", "done", "cancelled"]


class MessageIn(Schema):
    body: str = Field(..., min_length=1, max_length=2000)


class MessageOut(Schema):
    id: int
    author: MemberRef
    body: str
    created_at: datetime


class AlertIn(Schema):
    origin: PointSchema
    destination: PointSchema
    seats: int = Field(1, ge=1, le=MAX_SEATS)
    label: str = Field("", max_length=120)
    earliest_time: LocalTime | None = None
    latest_time: LocalTime | None = None


class AlertOut(Schema):
    id: int
    origin: PointSchema
    destination: PointSchema
    seats: int
    label: str
    earliest_time: time | None
    latest_time: time | None


class CommuteIn(Schema):
    origin: PlaceSchema
    destination: PlaceSchema
    weekdays: list[int] = Field(..., min_length=1, max_length=7)
    departure_time: LocalTime
    until: date
    seats: int = Field(..., ge=1, le=MAX_SEATS)
    price_per_seat_cents: int | None = Field(None, ge=0)
    instant_booking: bool = True


class CommuteOut(Schema):
    id: int
    weekdays: list[int]
    departure_time: time
    until: date
    offers: list[int]


class QuoteOut(Schema):
    distance_km: float
    cost_per_km_cents: int
    price_cap_cents: int
    formula: str


class Co2Out(Schema):
    mine_grams: int
    coop_grams: int
    emission_factor_grams_per_km: int


class PoolPlaceOut(Schema):
    alert_id: int
    member: MemberRef
    offer: OfferOut
    pickup: PointSchema
    dropoff: PointSchema
    explanation: dict[str, Any]


class PoolWindowIn(Schema):
    depart_after: str = Field(..., description="ISO 8601 with an offset.")
    depart_before: str = Field(..., description="At most one day after depart_after.")


class PoolSkippedOut(Schema):
    alert_id: int
    member: MemberRef
    offer_id: int
    reason: str


class PoolBookedOut(Schema):
    bookings: list[BookingOut]
    skipped: list[PoolSkippedOut]
