"""Real concurrency on PostgreSQL: threads, each with its own connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connection, connections, transaction

from coop.community.models import CommunityProject
from coop.members.models import User
from coop.members.tests.factories import MemberFactory
from stays.exceptions import NotAvailable
from stays.models import Booking, BookingStatus, Listing, Zone
from stays.tests.conftest import FakeStripe, book, make_listing

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_thread(work: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        try:
            return work()
        except Exception as error:
            return error
        finally:
            connections.close_all()

    return run


def test_parallel_bookings_of_overlapping_dates_confirm_exactly_one(
    zones: dict[str, Zone], project: CommunityProject, fake_stripe: FakeStripe
) -> None:
    assert connection.vendor == "postgresql"
    host: User = MemberFactory.create()
    listing = make_listing(host)
    guests: list[User] = [MemberFactory.create() for _ in range(8)]
    start = threading.Barrier(len(guests))

    def attempt(index: int) -> object:
        start.wait()
        booking = book(listing, guests[index], project, 10 + index % 3, 3)
        assert booking.payment is not None
        fake_stripe.confirm(booking.payment)
        return booking

    with ThreadPoolExecutor(max_workers=len(guests)) as pool:
        results = list(pool.map(lambda i: _in_thread(lambda: attempt(i))(), range(len(guests))))

    booked = [r for r in results if isinstance(r, Booking)]
    refused = [r for r in results if isinstance(r, NotAvailable)]
    assert len(booked) == 1, results
    assert len(refused) == len(guests) - 1, results
    assert Booking.objects.filter(listing=listing, status=BookingStatus.CONFIRMED).count() == 1


def test_the_database_refuses_two_confirmed_overlapping_stays(
    listing: Listing,
    bob: object,
    charlie: object,
    project: CommunityProject,
    fake_stripe: FakeStripe,
) -> None:
    first = book(listing, bob, project, 10, 3)  # type: ignore[arg-type]
    second = Booking.objects.get(pk=first.pk)
    second.pk = None
    second.guest = charlie  # type: ignore[assignment]
    second.payment = None
    second.status = BookingStatus.CONFIRMED
    Booking.objects.filter(pk=first.pk).update(status=BookingStatus.CONFIRMED)

    with pytest.raises(IntegrityError, match="stays_booking_no_overlap"), transaction.atomic():
        second.save()
