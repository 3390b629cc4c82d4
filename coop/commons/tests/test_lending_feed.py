"""Loans per category and cell: the borrower consents, and the owner unless it is the store."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from coop.commons.datasets import dataset_extract, dataset_get, month_parse
from coop.commons.models import Purpose
from coop.commons.tests.conftest import CELL_A, consenting_members
from coop.members.models import User
from lending.models import Item, Reservation, ReservationStatus

MARCH_5 = dt.datetime(2026, 3, 5, 10, 0, tzinfo=timezone.get_current_timezone())


def _loan(*, owner: User | None, borrower: User) -> Reservation:
    item = Item.objects.create(
        owner=owner,
        is_common_store=owner is None,
        title="Drill",
        category="tools",
        pickup_lat=CELL_A[0],
        pickup_lng=CELL_A[1],
    )
    return Reservation.objects.create(
        item=item,
        borrower=borrower,
        starts_at=MARCH_5,
        ends_at=MARCH_5 + dt.timedelta(hours=4),
        blocked_until=MARCH_5 + dt.timedelta(hours=4),
        status=ReservationStatus.RETURNED,
    )


@pytest.mark.django_db
def test_loans_are_counted_per_category_and_cell_with_consent(alice: User) -> None:
    borrowers = consenting_members(10, purpose=Purpose.LENDING)
    for borrower in borrowers:
        _loan(owner=None, borrower=borrower)
    # Alice lends without having consented: her loan is not counted.
    _loan(owner=alice, borrower=borrowers[0])

    extract = dataset_extract(dataset=dataset_get("lending-loans"), month=month_parse("2026-03"))

    assert [row.values for row in extract.rows] == [
        {"category": "tools", "cell": "r2442c78", "loans": 10}
    ]
    assert extract.rows[0].geometry is not None
