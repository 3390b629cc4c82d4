"""Stays in the commons: the legal report needs no consent; regulated listings are hooked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine

from coop.commons.datasets import dataset_extract, dataset_get, month_parse
from coop.commons.models import CityClient, EventKind, WebhookDelivery
from coop.commons.services import webhook_endpoint_register
from coop.community.models import CommunityProject
from coop.members.models import User
from governance.services.counting import parameter_set
from stays.models import Listing, Zone
from stays.tests.conftest import (  # noqa: F401 (fixtures)
    FakeStripe,
    book,
    fake_stripe,
    listing,
    make_listing,
    project,
    zones,
)


def test_the_legal_stays_report_includes_hosts_without_consent_and_no_identifiers(
    listing: Listing,  # noqa: F811
    bob: User,
    project: CommunityProject,  # noqa: F811
    fake_stripe: FakeStripe,  # noqa: F811
) -> None:
    booking = book(listing, bob, project, 10, 3)
    assert booking.payment is not None
    fake_stripe.confirm(booking.payment)
    month = month_parse(booking.check_in.strftime("%Y-%m"))

    report = dataset_extract(dataset=dataset_get("stays-activity"), month=month)
    by_zone = dataset_extract(dataset=dataset_get("stays-nights-by-zone"), month=month)

    assert [row.values for row in report.rows] == [
        {"registration_number": "HUTB-012345", "zone": "eixample", "nights": 3, "guests": 2}
    ]
    assert report.privacy["method"] == "legal_obligation"
    # Nights per zone go beyond the law: the host has not consented, so nothing is counted.
    assert by_zone.rows == []


def test_a_new_listing_in_a_regulated_zone_is_queued_for_the_city(
    alice: User,
    zones: dict[str, Zone],  # noqa: F811
    city: tuple[CityClient, str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    webhook_endpoint_register(
        client=city[0], url="http://127.0.0.1:9/", events=[EventKind.LISTING_IN_REGULATED_ZONE]
    )
    with django_capture_on_commit_callbacks(execute=False):
        make_listing(alice)
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == EventKind.LISTING_IN_REGULATED_ZONE
    assert delivery.payload["registration_number"] == "HUTB-012345"
    assert "host" not in delivery.payload


def test_the_city_is_told_when_a_confirmed_stay_uses_up_the_homes_nights(
    listing: Listing,  # noqa: F811
    bob: User,
    project: CommunityProject,  # noqa: F811
    fake_stripe: FakeStripe,  # noqa: F811
    city: tuple[CityClient, str],
) -> None:
    # Both stays in one calendar year, whatever day the suite runs on.
    with time_machine.travel(dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC), tick=False):
        parameter_set(key="stays.zone.eixample.max_nights", value=5)
        webhook_endpoint_register(
            client=city[0], url="http://127.0.0.1:9/", events=[EventKind.LISTING_NIGHT_CAP]
        )
        first = book(listing, bob, project, 10, 2)
        assert first.payment is not None
        fake_stripe.confirm(first.payment)
        assert not WebhookDelivery.objects.exists(), "2 of 5 nights: the cap is not reached"

        second = book(listing, bob, project, 20, 3)
        assert second.payment is not None
        fake_stripe.confirm(second.payment)

        delivery = WebhookDelivery.objects.get()
        assert delivery.event == EventKind.LISTING_NIGHT_CAP
        assert delivery.payload["registration_number"] == "HUTB-012345"
        assert delivery.payload["max_nights"] == 5
        assert "host" not in delivery.payload
