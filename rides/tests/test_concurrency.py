"""Real threads against PostgreSQL: a ride's seats are never oversold."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Sum

from coop.exceptions import DomainError
from coop.members.models import User
from coop.members.tests.factories import MemberFactory
from rides.models import Booking, BookingStatus, Offer
from rides.tests.conftest import GLORIES, LES_CORTS, make_offer

PASSENGERS = 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_crowd_booking_at_once_never_gets_more_seats_than_the_car_has(alice: User) -> None:
    offer = make_offer(alice, seats=4, instant_booking=True)
    passengers = [MemberFactory.create() for _ in range(PASSENGERS)]
    outcomes: Counter[str] = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(PASSENGERS)

    def book(passenger: User, seats: int) -> None:
        try:
            start.wait()
            try:
                Offer.objects.get(pk=offer.pk)  # each thread holds its own stale copy
                from rides import services  # noqa: PLC0415

                services.booking_request(
                    passenger=passenger, offer=offer, seats=seats, pickup=LES_CORTS, dropoff=GLORIES
                )
            except DomainError as error:
                outcome = error.code
            else:
                outcome = "ok"
            with lock:
                outcomes[outcome] += 1
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(p, 1 + i % 2)) for i, p in enumerate(passengers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert set(outcomes) <= {"ok", "no_seats", "resource_busy"}
    assert outcomes["no_seats"] > 0
    offer.refresh_from_db()
    held = Booking.objects.filter(offer=offer, status=BookingStatus.ACCEPTED).aggregate(
        seats=Sum("seats")
    )["seats"]
    assert held == offer.seats - offer.seats_left
    assert held <= 4
    assert Booking.objects.filter(offer=offer).count() == outcomes["ok"]
