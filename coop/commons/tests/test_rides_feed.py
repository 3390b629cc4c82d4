"""Ride flows and CO2: coarse cells, hour of departure, consent of everyone in the car."""

from __future__ import annotations

import pytest
from django.utils import timezone

from coop.commons.datasets import dataset_extract, dataset_get, month_parse
from coop.commons.grid import cell_of
from coop.commons.models import Purpose
from coop.commons.tests.conftest import consenting_members
from coop.members.models import User
from coop.members.tests.factories import MemberFactory
from rides.models import Booking, BookingStatus, Offer
from rides.tests.conftest import POBLENOU, ZONA_UNIVERSITARIA, make_offer, tomorrow_at


def _completed(offer: Offer, passenger: User) -> Booking:
    return Booking.objects.create(
        offer=offer,
        passenger=passenger,
        seats=1,
        pickup_lat=ZONA_UNIVERSITARIA.lat,
        pickup_lng=ZONA_UNIVERSITARIA.lng,
        dropoff_lat=POBLENOU.lat,
        dropoff_lng=POBLENOU.lng,
        shared_km=10.0,
        price_cents=300,
        currency="EUR",
        status=BookingStatus.COMPLETED,
        completed_at=timezone.now(),
    )


@pytest.mark.django_db
def test_ride_flows_count_consenting_cars_by_cell_and_hour_and_co2_follows() -> None:
    drivers = consenting_members(2, purpose=Purpose.RIDES)
    passengers = consenting_members(8, purpose=Purpose.RIDES)
    refusing = MemberFactory.create()
    departs_at = tomorrow_at(8, 40)
    offers = [make_offer(driver, departs_at=departs_at) for driver in drivers]
    for index, passenger in enumerate(passengers):
        _completed(offers[index % 2], passenger)
    # A passenger who did not consent: their booking is left out of every count.
    _completed(offers[0], refusing)
    month = month_parse(timezone.localtime(departs_at).strftime("%Y-%m"))

    flows = dataset_extract(dataset=dataset_get("ride-flows"), month=month)
    co2 = dataset_extract(dataset=dataset_get("rides-co2"), month=month)

    (flow,) = flows.rows
    assert flow.values == {
        "origin_cell": cell_of(ZONA_UNIVERSITARIA.lat, ZONA_UNIVERSITARIA.lng),
        "destination_cell": cell_of(POBLENOU.lat, POBLENOU.lng),
        "hour": 8,
        "trips": 8,
        "passengers": 8,
    }
    assert flow.geometry is not None
    assert flow.geometry["type"] == "LineString"
    assert co2.rows[0].values["shared_passenger_km"] == 80.0
    assert co2.rows[0].values["co2_saved_grams"] > 0


@pytest.mark.django_db
def test_a_flow_with_fewer_than_k_members_is_suppressed() -> None:
    driver, passenger = consenting_members(2, purpose=Purpose.RIDES)
    offer = make_offer(driver)
    _completed(offer, passenger)
    month = month_parse(timezone.localtime(offer.departs_at).strftime("%Y-%m"))
    flows = dataset_extract(dataset=dataset_get("ride-flows"), month=month)
    assert flows.rows == []
    assert flows.privacy["suppressed_rows"] == 1
    assert dataset_extract(dataset=dataset_get("rides-co2"), month=month).rows == []
