"""Real threads against PostgreSQL: an item's calendar is never double-booked."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from coop.exceptions import DomainError
from coop.geo.points import Point
from coop.members.tests.factories import MemberFactory
from lending import services
from lending.models import HOLDING_STATUSES, Reservation

THREADS = 12


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_members_never_double_book_and_every_loser_hears_not_available() -> None:
    owner = MemberFactory.create()
    item = services.item_create(
        owner=owner, title="Hedge trimmer", pickup=Point(41.39, 2.17), buffer_hours=1, max_hours=24
    )
    members = [MemberFactory.create() for _ in range(THREADS)]
    base = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    outcomes: Counter[str] = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def worker(index: int) -> None:
        # Every window overlaps its neighbours: starts one hour apart, four hours long.
        start = base + timedelta(hours=index % 4)
        try:
            barrier.wait()
            services.reservation_request(
                borrower=members[index],
                item=item,
                starts_at=start,
                ends_at=start + timedelta(hours=4),
            )
            result = "ok"
        except DomainError as error:
            result = error.code
        except BaseException as error:
            errors.append(error)
            result = "crash"
        finally:
            connection.close()
        with lock:
            outcomes[result] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert outcomes["ok"] == 1
    assert outcomes["not_available"] == THREADS - 1
    rows = list(Reservation.objects.filter(item=item, status__in=HOLDING_STATUSES))
    assert len(rows) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_database_itself_refuses_an_overlap_that_skips_the_service() -> None:
    owner, bob = MemberFactory.create(), MemberFactory.create()
    item = services.item_create(owner=owner, title="Ladder", pickup=Point(41.39, 2.17))
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    services.reservation_request(
        borrower=bob, item=item, starts_at=start, ends_at=start + timedelta(hours=4)
    )

    with (
        pytest.raises(IntegrityError, match="lending_reservation_no_overlap"),
        transaction.atomic(),
    ):
        Reservation.objects.create(
            item=item,
            borrower=bob,
            starts_at=start + timedelta(hours=2),
            ends_at=start + timedelta(hours=6),
            blocked_until=start + timedelta(hours=6),
        )
