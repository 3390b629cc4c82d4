from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from coop.community.models import CommunityProject
from coop.members.models import User
from frontend.testing import assert_accessible_page
from stays.models import Booking, BookingStatus, Listing, Zone
from stays.tests.conftest import FakeStripe, book, soon


def test_search_page_lists_homes_with_a_map(
    listing: Listing, bob_client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(12):
        response = bob_client.get(reverse("stays:search"))

    html = response.content.decode()
    assert_accessible_page(html)
    assert listing.title in html
    assert "<svg" in html


def test_search_page_shows_form_errors(bob_client: Client) -> None:
    response = bob_client.get(reverse("stays:search"), {"check_in": soon(3).isoformat()})

    assert "Give both dates" in response.content.decode()


def test_listing_page_quotes_and_books(
    listing: Listing,
    bob: User,
    bob_client: Client,
    project: CommunityProject,
    fake_stripe: FakeStripe,
) -> None:
    first = bob_client.get(reverse("stays:listing", args=[listing.pk])).content.decode()
    assert_accessible_page(first)
    assert "Carrer de Mallorca" not in first

    response = bob_client.post(
        reverse("stays:listing", args=[listing.pk]),
        {
            "check_in": soon(10).isoformat(), "check_out": soon(12).isoformat(),
            "guests": 2, "community_project": project.pk,
        },
    )  # fmt: skip

    booking = Booking.objects.get(guest=bob)
    assert response.status_code == 302
    page = bob_client.get(response["Location"]).content.decode()
    assert_accessible_page(page)
    assert "payment-form" in page
    assert booking.status == BookingStatus.AWAITING_PAYMENT


def test_a_refused_booking_shows_the_reason_on_the_form(
    listing: Listing, bob_client: Client, project: CommunityProject
) -> None:
    response = bob_client.post(
        reverse("stays:listing", args=[listing.pk]),
        {
            "check_in": soon(10).isoformat(), "check_out": soon(12).isoformat(),
            "guests": 6, "community_project": project.pk,
        },
    )  # fmt: skip

    assert response.status_code == 200
    assert "guests" in response.content.decode()
    assert not Booking.objects.exists()


def test_host_desk_shows_requests_calendar_and_payouts(
    listing: Listing, alice_client: Client, bob: User, project: CommunityProject
) -> None:
    listing.instant_book = False
    listing.save()
    booking = book(listing, bob, project, 3, 2)

    html = alice_client.get(reverse("stays:host")).content.decode()

    assert_accessible_page(html)
    assert bob.display_name in html
    assert "Payouts" in html
    assert 'class="stays-month"' in html
    accepted = alice_client.post(reverse("stays:booking_action", args=[booking.pk, "decline"]))
    assert accepted.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.DECLINED


def test_the_host_blocks_nights_from_the_desk(listing: Listing, alice_client: Client) -> None:
    alice_client.post(
        reverse("stays:host_listing_action", args=[listing.pk, "block"]),
        {"start": soon(3).isoformat(), "end": soon(5).isoformat()},
    )

    assert listing.blocks.count() == 1


def test_others_cannot_see_a_booking_or_act_for_the_host(
    listing: Listing,
    bob: User,
    charlie_client: Client,
    project: CommunityProject,
    fake_stripe: FakeStripe,
) -> None:
    booking = book(listing, bob, project, 3, 2)

    assert charlie_client.get(reverse("stays:booking", args=[booking.pk])).status_code == 404
    assert (
        charlie_client.post(
            reverse("stays:host_listing_action", args=[listing.pk, "block"])
        ).status_code
        == 404
    )


def test_a_member_lists_their_home_from_the_form(
    alice_client: Client, zones: dict[str, Zone]
) -> None:
    page = alice_client.get(reverse("stays:listing_new")).content.decode()
    assert_accessible_page(page)

    response = alice_client.post(
        reverse("stays:listing_new"),
        {
            "home_type": "entire_home", "title": "Flat", "capacity": 2, "beds": 1,
            "nightly_price": "70.00", "cleaning_fee": "20", "min_nights": 1, "max_nights": 10,
            "cancellation_policy": "flexible", "licence_number": "bad",
            "address": "Carrer 1", "lat": 41.392, "lng": 2.165,
        },
    )  # fmt: skip

    assert response.status_code == 200
    assert "licence" in response.content.decode().lower()
    assert not Listing.objects.exists()


def test_guest_reviews_the_stay_from_its_page_after_check_out(
    *,
    listing: Listing,
    bob: User,
    bob_client: Client,
    project: CommunityProject,
    fake_stripe: FakeStripe,
) -> None:
    import time_machine  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    booking = book(listing, bob, project, 2, 2)
    assert booking.payment is not None
    fake_stripe.confirm(booking.payment)
    url = reverse("stays:booking", args=[booking.pk])
    assert "Review this stay" not in bob_client.get(url).content.decode()

    with time_machine.travel(timezone.now() + dt.timedelta(days=5)):
        page = bob_client.get(url).content.decode()
        assert_accessible_page(page)
        assert "Carrer de Mallorca" in page  # a confirmed guest sees the address
        bob_client.post(reverse("stays:booking_review", args=[booking.pk]), {"rating": "5"})

    assert booking.reviews.get().rating == 5


def test_the_guest_restarts_a_payment_that_could_not_start_when_the_host_accepted(
    *,
    listing: Listing,
    alice: User,
    bob: User,
    bob_client: Client,
    charlie_client: Client,
    project: CommunityProject,
    fake_stripe: FakeStripe,
    monkeypatch: Any,
) -> None:
    from coop.money import stripe_gateway  # noqa: PLC0415
    from coop.money.exceptions import PaymentProviderError  # noqa: PLC0415
    from stays import services  # noqa: PLC0415

    listing.instant_book = False
    listing.save()
    booking = book(listing, bob, project, 5, 2)

    def down(**kwargs: object) -> object:
        raise PaymentProviderError()

    monkeypatch.setattr(stripe_gateway, "payment_intent_create", down)
    with pytest.raises(PaymentProviderError):
        services.booking_accept(host=alice, booking=booking)
    monkeypatch.setattr(stripe_gateway, "payment_intent_create", fake_stripe.payment_intent_create)
    url = reverse("stays:booking", args=[booking.pk])
    assert "Continue to payment" in bob_client.get(url).content.decode()

    charlie_client.post(reverse("stays:booking_action", args=[booking.pk, "pay"]))
    bob_client.post(reverse("stays:booking_action", args=[booking.pk, "pay"]))

    page = bob_client.get(url).content.decode()
    assert "payment-form" in page
    booking.refresh_from_db()
    assert booking.payment is not None


def test_members_find_the_search_and_the_host_desk_at_the_top_of_the_stays_page(
    alice_client: Client, client: Client
) -> None:
    member_page = alice_client.get("/stays/").content.decode()
    visitor_page = client.get("/stays/").content.decode()

    assert member_page.index('href="/stays/search/"') < member_page.index("How it works")
    assert 'href="/stays/host/"' in member_page
    assert "Find a stay" not in visitor_page
