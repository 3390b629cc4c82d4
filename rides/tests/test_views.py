"""The phone pages: search with explained matches, offer a ride, requests and the live trip."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coop.members.models import User
from frontend.testing import assert_accessible_page
from rides import selectors, services
from rides.models import (
    Booking,
    BookingStatus,
    Offer,
    PoolRun,
    PoolRunStatus,
    SearchAlert,
    TripStatus,
)
from rides.tests.conftest import (
    GLORIES,
    LES_CORTS,
    FakeStripe,
    make_offer,
    stripe_authorises,
    tomorrow_at,
)

pytestmark = pytest.mark.django_db


def test_a_driver_posts_a_trip_from_the_phone_form(alice_client: Client) -> None:
    page = alice_client.get(reverse("rides:offer_new"))
    assert_accessible_page(page.content.decode())

    response = alice_client.post(
        reverse("rides:offer_new"),
        {
            "origin": "sants",
            "destination": "poblenou",
            "departs_at": tomorrow_at(9).strftime("%Y-%m-%dT%H:%M"),
            "seats": 2,
            "instant_booking": "on",
            "luggage": "on",
        },
    )

    offer = Offer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("rides:offer", args=[offer.pk])
    assert offer.origin_label == "Sants"
    assert offer.instant_booking is True
    assert offer.price_per_seat_cents > 0


def test_the_offer_form_shows_the_price_cap_refusal(alice_client: Client) -> None:
    response = alice_client.post(
        reverse("rides:offer_new"),
        {
            "origin": "sants",
            "destination": "poblenou",
            "departs_at": tomorrow_at(9).strftime("%Y-%m-%dT%H:%M"),
            "seats": 2,
            "price_per_seat": "999.99",
        },
    )

    assert response.status_code == 200
    assert "At most" in response.content.decode()
    assert not Offer.objects.exists()


def test_a_passenger_searches_sees_the_explanation_and_books(
    offer: Offer, bob: User, bob_client: Client
) -> None:
    response = bob_client.get(
        reverse("rides:search"),
        {
            "origin": "les-corts",
            "destination": "glories",
            "day": tomorrow_at(8).date().isoformat(),
            "earliest": "07:00",
            "latest": "10:00",
            "seats": "1",
        },
    )
    html = response.content.decode()
    assert_accessible_page(html)
    assert "Zona Universitària → Poblenou" in html
    assert "Walk to pickup" in html
    assert "<svg" in html
    assert "Save this search" in html

    booked = bob_client.post(
        reverse("rides:offer_book", args=[offer.pk]),
        {"seats": 1, "pickup": str(LES_CORTS), "dropoff": str(GLORIES)},
    )

    assert booked.status_code == 302
    assert Booking.objects.get(passenger=bob).status == BookingStatus.ACCEPTED
    page = bob_client.get(reverse("rides:offer", args=[offer.pk])).content.decode()
    assert_accessible_page(page)
    assert Booking.objects.get(passenger=bob).code in page
    assert f'data-ride-live="{offer.pk}"' in page
    assert 'id="payment-form"' in page  # the card hold is authorised right there


def test_the_driver_sees_requests_accepts_and_runs_the_trip(
    alice: User, bob: User, alice_client: Client, fake_stripe: FakeStripe
) -> None:
    offer = make_offer(alice)
    booking = services.booking_request(
        passenger=bob, offer=offer, seats=1, pickup=LES_CORTS, dropoff=GLORIES
    )
    page = alice_client.get(reverse("rides:offer", args=[offer.pk])).content.decode()
    assert_accessible_page(page)
    assert "Bob" in page
    assert booking.code not in page
    assert "Not paid yet" in page

    stripe_authorises(fake_stripe, booking.pk)
    paid_page = alice_client.get(reverse("rides:offer", args=[offer.pk])).content.decode()
    alice_client.post(reverse("rides:booking_action", args=[booking.pk, "accept"]))
    alice_client.post(reverse("rides:offer_status", args=[offer.pk]), {"status": "boarding"})

    assert "Paid: held on the card" in paid_page
    assert "Not paid yet" not in paid_page

    booking.refresh_from_db()
    offer.refresh_from_db()
    assert booking.status == BookingStatus.ACCEPTED
    assert offer.status == TripStatus.BOARDING


def test_outsiders_see_the_ride_but_not_its_chat_or_passengers(
    offer: Offer, bob: User, charlie_client: Client
) -> None:
    services.booking_request(passenger=bob, offer=offer, seats=1, pickup=LES_CORTS, dropoff=GLORIES)
    services.message_post(author=bob, offer=offer, body="See you at the corner")

    html = charlie_client.get(reverse("rides:offer", args=[offer.pk])).content.decode()

    assert "See you at the corner" not in html
    assert "data-ride-live" not in html


def test_my_rides_lists_what_i_drive_and_what_i_booked(
    offer: Offer, bob: User, bob_client: Client, django_assert_max_num_queries: Any
) -> None:
    services.booking_request(passenger=bob, offer=offer, seats=1, pickup=LES_CORTS, dropoff=GLORIES)

    with django_assert_max_num_queries(12):
        html = bob_client.get(reverse("rides:mine")).content.decode()

    assert_accessible_page(html)
    assert "Zona Universitària → Poblenou" in html


def test_the_pages_are_for_members(applicant_client: Client) -> None:
    response = applicant_client.get(reverse("rides:search"))

    assert response.status_code == 302


def test_a_driver_enters_a_commute_once_and_its_rides_appear(alice_client: Client) -> None:
    page = alice_client.get(reverse("rides:commute_new"))
    assert_accessible_page(page.content.decode())

    response = alice_client.post(
        reverse("rides:commute_new"),
        {
            "origin": "sant-andreu",
            "destination": "zona-universitaria",
            "weekdays": ["1", "2", "3", "4", "5"],
            "departure_time": "08:00",
            "until": (tomorrow_at(8).date() + timedelta(days=200)).isoformat(),
            "seats": 2,
        },
    )

    assert response.status_code == 302
    assert Offer.objects.filter(commute__isnull=False).count() >= 9


def test_a_passenger_saves_a_search_as_an_alert(bob: User, bob_client: Client) -> None:
    response = bob_client.post(
        reverse("rides:alert_new"),
        {
            "origin": str(LES_CORTS),
            "destination": str(GLORIES),
            "label": "Les Corts → Glòries",
            "earliest": "07:00",
            "latest": "10:00",
            "seats": "1",
        },
    )
    refused = bob_client.post(reverse("rides:alert_new"), {"origin": "north", "destination": ""})

    assert response.status_code == 302
    assert refused.status_code == 302
    (alert,) = SearchAlert.objects.filter(member=bob)
    assert alert.label == "Les Corts → Glòries"
    assert alert.earliest_time is not None


def test_members_find_search_and_offer_at_the_top_of_the_rides_page(
    alice_client: Client, client: Client
) -> None:
    member_page = alice_client.get("/rides/").content.decode()

    assert member_page.index('href="/rides/search/"') < member_page.index("How it works")
    assert 'href="/rides/offer/"' in member_page
    assert "Find a ride" not in client.get("/rides/").content.decode()


def test_people_not_on_the_ride_see_its_sketch_at_the_approximate_ends(
    offer: Offer, alice_client: Client, charlie_client: Client
) -> None:
    from rides import selectors, views  # noqa: PLC0415

    page = reverse("rides:offer", args=[offer.pk])
    outsider = charlie_client.get(page).context["plot"]
    driver = alice_client.get(page).context["plot"]

    assert driver == views.plot(offer.route)
    assert outsider == views.plot(selectors.offer_route_for_public(offer))
    assert outsider != driver


@pytest.fixture
def _board_without_mfa(settings: Any) -> None:
    settings.BOARD_MFA_REQUIRED = False


@pytest.mark.usefixtures("_board_without_mfa")
def test_the_board_works_out_a_commuter_pool_and_books_it(
    alice: User,
    bob: User,
    board_client: Client,
    charlie_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    offer = make_offer(alice, seats=2)
    services.alert_create(member=bob, origin=LES_CORTS, destination=GLORIES, label="To work")
    window = {"day": tomorrow_at(8).date().isoformat(), "earliest": "06:30", "latest": "10:00"}

    # The first visit starts the background task (run at once by the test backend).
    with django_capture_on_commit_callbacks(execute=True):
        started = board_client.get(reverse("rides:pools"), window)
    page = board_client.get(started["Location"])
    refused = charlie_client.get(reverse("rides:pools"), window)
    booked = board_client.post(reverse("rides:pools"), window)

    assert started.status_code == 302
    html = page.content.decode()
    assert_accessible_page(html)
    assert "Working out" not in html
    assert "Bob" in html
    assert "whole detour" in html
    assert refused.status_code == 403
    assert booked.status_code == 302
    booking = Booking.objects.get(passenger=bob, offer=offer)
    assert booking.status == BookingStatus.REQUESTED  # this driver approves every booking
    assert not booking.is_paid  # Bob still holds the price on his card himself


@pytest.mark.usefixtures("_board_without_mfa")
def test_the_pool_page_says_working_out_until_the_task_has_stored_the_result(
    alice: User,
    bob: User,
    board: User,
    board_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    make_offer(alice, seats=2)
    services.alert_create(member=bob, origin=LES_CORTS, destination=GLORIES, label="To work")
    window = {"day": tomorrow_at(8).date().isoformat(), "earliest": "06:30", "latest": "10:00"}

    with django_capture_on_commit_callbacks(execute=False) as queued:
        started = board_client.get(reverse("rides:pools"), window)
    working = board_client.get(started["Location"]).content.decode()
    (run,) = PoolRun.objects.all()
    assert run.status == PoolRunStatus.WORKING
    assert "Working out the pool" in working
    assert 'http-equiv="refresh"' in working  # a reload, no script
    assert "Bob" not in working

    for callback in queued:  # the task runs (immediate backend)
        callback()
    done = board_client.get(started["Location"]).content.decode()

    run.refresh_from_db()
    assert run.status == PoolRunStatus.DONE
    assert run.requested_by == board
    assert "Working out" not in done
    assert 'http-equiv="refresh"' not in done
    assert "Bob" in done
    assert PoolRun.objects.count() == 1  # a fresh result is shown, not worked out again


@pytest.mark.usefixtures("_board_without_mfa")
def test_a_stale_pool_result_is_worked_out_again(
    alice: User, board_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    window = {"day": tomorrow_at(8).date().isoformat(), "earliest": "06:30", "latest": "10:00"}
    with django_capture_on_commit_callbacks(execute=True):
        board_client.get(reverse("rides:pools"), window)
    PoolRun.objects.update(finished_at=timezone.now() - selectors.POOL_RUN_FRESH * 2)

    with django_capture_on_commit_callbacks(execute=True):
        again = board_client.get(reverse("rides:pools"), window)

    assert again.status_code == 302
    assert list(PoolRun.objects.values_list("status", flat=True)) == ["done", "done"]
