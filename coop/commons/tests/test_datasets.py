from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from coop.commons.datasets import dataset_extract, dataset_get, month_parse
from coop.commons.models import Purpose
from coop.commons.services import consent_set
from coop.commons.tests.conftest import CELL_A, CELL_B, confirmed_exchange, consenting_members
from coop.members.models import User

MARCH = month_parse("2026-03")


def _timebank_rows() -> list[dict[str, object]]:
    extract = dataset_extract(dataset=dataset_get("timebank-hours"), month=MARCH)
    return [row.values for row in extract.rows]


@pytest.mark.django_db
def test_suppression_removes_cells_with_fewer_than_k_members() -> None:
    members = consenting_members(12)
    for provider, receiver in zip(members[:10:2], members[1:10:2], strict=True):
        confirmed_exchange(provider=provider, receiver=receiver, place=CELL_A)
    # Two members in another cell: they could be recognised, so the cell is dropped.
    confirmed_exchange(provider=members[10], receiver=members[11], place=CELL_B)

    extract = dataset_extract(dataset=dataset_get("timebank-hours"), month=MARCH)

    assert [row.values["cell"] for row in extract.rows] == ["r2442c78"]
    assert extract.privacy["suppressed_rows"] == 1
    assert extract.privacy["k"] == 10


@pytest.mark.django_db
def test_a_member_without_consent_is_absent_from_optional_datasets(alice: User) -> None:
    members = consenting_members(10)
    for provider, receiver in zip(members[::2], members[1::2], strict=True):
        confirmed_exchange(provider=provider, receiver=receiver, minutes=60)
    before = _timebank_rows()
    # Alice never said yes; then she says no explicitly: neither counts her.
    confirmed_exchange(provider=alice, receiver=members[0], minutes=600)
    assert (
        _timebank_rows()
        == before
        == [{"category": "repairs", "cell": "r2442c78", "exchanges": 5, "hours": 5.0}]
    )
    consent_set(member=alice, purpose=Purpose.TIMEBANK, granted=False)
    assert _timebank_rows() == before
    consent_set(member=alice, purpose=Purpose.TIMEBANK, granted=True)
    assert _timebank_rows()[0]["hours"] == 15.0


@pytest.mark.django_db
def test_consent_is_per_purpose() -> None:
    members = consenting_members(10, purpose=Purpose.RIDES)
    for provider, receiver in zip(members[::2], members[1::2], strict=True):
        confirmed_exchange(provider=provider, receiver=receiver)
    assert _timebank_rows() == []


@pytest.mark.django_db
def test_only_the_requested_month_is_counted() -> None:
    members = consenting_members(10)
    april = dt.datetime(2026, 4, 1, 0, 30, tzinfo=timezone.get_current_timezone())
    for provider, receiver in zip(members[::2], members[1::2], strict=True):
        confirmed_exchange(provider=provider, receiver=receiver, when=april)
    assert _timebank_rows() == []


@pytest.mark.django_db
def test_no_output_row_carries_a_member_identifier() -> None:
    members = consenting_members(10)
    for provider, receiver in zip(members[::2], members[1::2], strict=True):
        confirmed_exchange(provider=provider, receiver=receiver)
    (row,) = _timebank_rows()
    assert set(row) == {"category", "cell", "exchanges", "hours"}
