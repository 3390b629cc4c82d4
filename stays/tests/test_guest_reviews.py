"""What hosts wrote about a guest: shown to a host deciding on the guest's request and on the
guest's own page, only once published (both reviews in, or the window closed)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from coop.community.models import CommunityProject
from coop.members.models import User
from coop.members.tests.factories import MemberFactory
from stays import services
from stays.models import Booking, Listing, Zone
from stays.tests.conftest import FakeStripe, book, make_listing

API = "/api/v1/stays"


@pytest.fixture
def past_stay(
    listing: Listing, bob: User, project: CommunityProject, fake_stripe: FakeStripe
) -> Booking:
    """Bob stayed at Alice's; it is now the day he checked out."""
    booking = book(listing, bob, project, 2, 2)
    assert booking.payment is not None
    fake_stripe.confirm(booking.payment)
    booking.refresh_from_db()
    return booking


def _after(booking: Booking, days: int = 0) -> time_machine.travel:
    moment = dt.datetime.combine(booking.check_out, dt.time(12), tzinfo=dt.UTC)
    return time_machine.travel(moment + dt.timedelta(days=days))


@pytest.fixture
def other_host(zones: dict[str, Zone]) -> User:
    host = MemberFactory.create(email="dora@example.org", display_name="Dora")
    make_listing(host, at=(41.408, 2.158), instant_book=False, title="Room in Gràcia")
    return host


def _request_to(host: User, guest: User, project: CommunityProject, start: int) -> Booking:
    listing = Listing.objects.get(host=host)
    return book(listing, guest, project, start, 2)


def test_the_host_deciding_on_a_request_sees_what_other_hosts_wrote_once_published(
    past_stay: Booking,
    alice: User,
    bob: User,
    other_host: User,
    project: CommunityProject,
) -> None:
    host_client = Client()
    host_client.force_login(other_host)
    with _after(past_stay):
        services.review_submit(author=alice, booking=past_stay, rating=5, text="Tidy and kind")
        request = _request_to(other_host, bob, project, 10)
        page = host_client.get(f"/stays/bookings/{request.pk}/").content.decode()
        # Only Alice's review is in: it waits for Bob's, or for the window to close.
        assert "Tidy and kind" not in page

        services.review_submit(author=bob, booking=past_stay, rating=4)
        page = host_client.get(f"/stays/bookings/{request.pk}/").content.decode()
        assert "What hosts said about Bob" in page
        assert "Tidy and kind" in page


def test_a_lone_host_review_shows_after_the_window(
    past_stay: Booking, alice: User, bob: User, bob_client: Client
) -> None:
    with _after(past_stay):
        services.review_submit(author=alice, booking=past_stay, rating=2, text="Left a mess")
        assert "Left a mess" not in bob_client.get("/stays/trips/").content.decode()
    services.reviews_publish_due(today=past_stay.check_out + dt.timedelta(days=15))
    page = bob_client.get("/stays/trips/")
    assert page.status_code == 200
    assert "Left a mess" in page.content.decode()


def test_the_guest_does_not_see_the_hosts_box_on_their_own_booking(
    past_stay: Booking, bob_client: Client
) -> None:
    page = bob_client.get(f"/stays/bookings/{past_stay.pk}/").content.decode()
    assert "What hosts said about" not in page


def test_the_api_shows_a_guests_reviews_to_them_and_their_hosts_only(
    *,
    past_stay: Booking,
    alice: User,
    bob: User,
    alice_client: Client,
    bob_client: Client,
    charlie_client: Client,
) -> None:
    with _after(past_stay):
        services.review_submit(author=alice, booking=past_stay, rating=5, text="Tidy and kind")
        services.review_submit(author=bob, booking=past_stay, rating=5)
    url = f"{API}/guests/{bob.pk}/reviews"

    assert [r["text"] for r in bob_client.get(url).json()] == ["Tidy and kind"]
    assert alice_client.get(url).json()[0]["host"]["display_name"] == alice.display_name
    refused = charlie_client.get(url)
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "not_found"
