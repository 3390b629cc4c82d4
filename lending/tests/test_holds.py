"""Queue offers time out after the voted window and pass to the next member."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from coop.members.models import User
from coop.notifications.models import Notification
from coop.scheduler.registry import registered_jobs
from governance.parameters import parameter_value
from lending import services
from lending.models import Hold, HoldStatus, Item
from lending.tests.conftest import NOW, at

pytestmark = pytest.mark.django_db


def _queue_then_free(drill: Item, bob: User, first: User, second: User) -> tuple[Hold, Hold]:
    reservation = services.reservation_request(
        borrower=bob, item=drill, starts_at=at(2), ends_at=at(12)
    )
    one = services.hold_join(member=first, item=drill)
    two = services.hold_join(member=second, item=drill)
    services.reservation_cancel(actor=bob, reservation=reservation)
    return Hold.objects.get(pk=one.pk), Hold.objects.get(pk=two.pk)


def test_an_offer_carries_its_deadline_from_the_voted_window(
    drill: Item, bob: User, charlie: User, board: User, charlie_client: Client
) -> None:
    first, second = _queue_then_free(drill, bob, charlie, board)
    mine = charlie_client.get("/api/v1/lending/holds").json()

    window = timedelta(hours=parameter_value("lending.hold_offer_hours"))
    assert first.status == HoldStatus.OFFERED
    assert first.offer_expires_at == NOW + window
    assert second.status == HoldStatus.WAITING
    assert mine[0]["status"] == "offered"
    assert mine[0]["offer_expires_at"] is not None


def test_an_offer_not_taken_up_in_time_passes_to_the_next_member(
    drill: Item, bob: User, charlie: User, board: User, frozen_now: time_machine.Traveller
) -> None:
    first, second = _queue_then_free(drill, bob, charlie, board)
    window = timedelta(hours=parameter_value("lending.hold_offer_hours"))

    frozen_now.move_to(NOW + window - timedelta(minutes=1))
    assert services.holds_expire_offers() == 0
    assert Hold.objects.get(pk=first.pk).status == HoldStatus.OFFERED

    frozen_now.move_to(NOW + window)
    assert services.holds_expire_offers() == 1

    assert Hold.objects.get(pk=first.pk).status == HoldStatus.EXPIRED
    passed_on = Hold.objects.get(pk=second.pk)
    assert passed_on.status == HoldStatus.OFFERED
    assert passed_on.offer_expires_at == NOW + 2 * window
    assert Notification.objects.filter(
        recipient=charlie, kind="lending.hold_offer_expired"
    ).exists()
    assert Notification.objects.filter(recipient=board, kind="lending.hold_offered").exists()
    # Running again changes nothing until the second offer runs out too.
    assert services.holds_expire_offers() == 0


def test_an_offer_taken_up_does_not_expire(
    drill: Item, bob: User, charlie: User, board: User, frozen_now: time_machine.Traveller
) -> None:
    first, second = _queue_then_free(drill, bob, charlie, board)
    services.reservation_request(borrower=charlie, item=drill, starts_at=at(3), ends_at=at(6))

    frozen_now.move_to(NOW + timedelta(days=3))

    assert services.holds_expire_offers() == 0
    assert Hold.objects.get(pk=first.pk).status == HoldStatus.CANCELLED
    assert Hold.objects.get(pk=second.pk).status == HoldStatus.WAITING


def test_a_member_who_left_the_queue_is_skipped_when_the_offer_passes_on(  # noqa: PLR0917
    drill: Item,
    bob: User,
    charlie: User,
    board: User,
    alice: User,
    frozen_now: time_machine.Traveller,
) -> None:
    first, second = _queue_then_free(drill, bob, charlie, board)
    services.hold_leave(member=board, hold=second)

    frozen_now.move_to(NOW + timedelta(days=2))
    services.holds_expire_offers()

    assert Hold.objects.get(pk=first.pk).status == HoldStatus.EXPIRED
    assert not Hold.objects.filter(status=HoldStatus.OFFERED).exists()


def test_offers_expire_on_the_scheduler() -> None:
    job = registered_jobs()["lending.tasks.lending_expire_hold_offers"]

    assert job.every <= timedelta(minutes=15)
