"""Refunds Stripe refuses: recorded as failed, shown, retried with backoff and by the board, and
never booked in the ledger before the money moved."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from coop.community.models import CommunityProject
from coop.members.models import User
from coop.money.ledger import account_balance, coop_account
from coop.money.models import AccountKind, Payment
from coop.money.payments import refund_apply
from coop.notifications.models import Notification
from coop.scheduler.registry import registered_jobs
from governance.audit import AuditLogEntry
from governance.exceptions import BoardOnly
from stays import services
from stays.models import Booking, BookingRefund, BookingStatus, Listing, RefundStatus
from stays.services.refunds import (
    MAX_AUTOMATIC_ATTEMPTS,
    booking_refund_retry_now,
    booking_refunds_retry,
    retry_delay,
)
from stays.tests.conftest import FakeStripe, book

API = "/api/v1/stays"


def _confirmed(
    listing: Listing, guest: User, project: CommunityProject, fake: FakeStripe
) -> Booking:
    booking = book(listing, guest, project, 10, 2)
    assert booking.payment is not None
    fake.confirm(booking.payment)
    booking.refresh_from_db()
    return booking


def _payment(booking: Booking) -> Payment:
    payment = booking.payment
    assert payment is not None
    payment.refresh_from_db()
    return payment


def _held() -> int:
    return -account_balance(coop_account(AccountKind.DEPOSITS_HELD, key=services.HELD_KEY)).cents


@pytest.fixture
def refused(
    listing: Listing, alice: User, bob: User, project: CommunityProject, fake_stripe: FakeStripe
) -> BookingRefund:
    """The host cancelled a confirmed stay (full refund) and Stripe refused the refund."""
    booking = _confirmed(listing, bob, project, fake_stripe)
    fake_stripe.refuse_refunds()
    services.booking_cancel(user=alice, booking=booking)
    return BookingRefund.objects.get(booking=booking)


def test_a_refused_refund_is_recorded_as_failed_and_books_nothing(
    refused: BookingRefund, bob: User
) -> None:
    booking = refused.booking
    payment = _payment(booking)

    assert booking.status == BookingStatus.CANCELLED
    assert refused.status == RefundStatus.FAILED
    assert refused.amount_cents == booking.total_cents
    assert refused.last_error == "Refund declined by the card issuer."
    assert refused.next_attempt_at is not None
    # The money did not move, so the ledger did not move either: the guest's money is still held.
    assert payment.refunded_cents == 0
    assert _held() == booking.host_share_cents
    assert Notification.objects.filter(recipient=bob, kind="stays.refund_failed").exists()


def test_the_periodic_task_retries_after_the_backoff_and_books_the_refund_once_it_moves(
    refused: BookingRefund, fake_stripe: FakeStripe
) -> None:
    fake_stripe.refunds_work()
    assert booking_refunds_retry() == 0  # not due yet
    assert fake_stripe.refund_keys == [f"stays-refund-{refused.booking_id}-0"]

    with time_machine.travel(timezone.now() + retry_delay(1) + dt.timedelta(seconds=1)):
        assert booking_refunds_retry() == 1

    refused.refresh_from_db()
    assert refused.status == RefundStatus.SUCCEEDED
    assert refused.attempts == 2
    # A refusal was a definite answer: the retry is a new request with its own key.
    assert fake_stripe.refund_keys[-1] == f"stays-refund-{refused.booking_id}-1"
    payment = _payment(refused.booking)
    assert payment.refunded_cents == refused.amount_cents
    assert _held() == 0


def test_retries_back_off_and_stop_for_the_board_after_the_last_automatic_attempt(
    refused: BookingRefund,
) -> None:
    assert [retry_delay(n) for n in (1, 2, 3)] == [
        dt.timedelta(minutes=15),
        dt.timedelta(minutes=30),
        dt.timedelta(hours=1),
    ]
    assert retry_delay(20) == dt.timedelta(days=1)
    moment = timezone.now()
    for _attempt in range(MAX_AUTOMATIC_ATTEMPTS - 1):
        moment += dt.timedelta(days=1, minutes=1)
        with time_machine.travel(moment):
            booking_refunds_retry()

    refused.refresh_from_db()
    assert refused.attempts == MAX_AUTOMATIC_ATTEMPTS
    assert refused.status == RefundStatus.FAILED
    assert refused.next_attempt_at is None
    with time_machine.travel(moment + dt.timedelta(days=30)):
        assert booking_refunds_retry() == 0
    refused.refresh_from_db()
    assert refused.attempts == MAX_AUTOMATIC_ATTEMPTS


def test_a_lost_connection_is_retried_with_the_same_key_so_it_cannot_refund_twice(
    listing: Listing, alice: User, bob: User, project: CommunityProject, fake_stripe: FakeStripe
) -> None:
    booking = _confirmed(listing, bob, project, fake_stripe)
    fake_stripe.cut_connection()
    services.booking_cancel(user=alice, booking=booking)
    fake_stripe.refunds_work()

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        booking_refunds_retry()

    assert fake_stripe.refund_keys == [f"stays-refund-{booking.pk}-0"] * 2
    assert BookingRefund.objects.get(booking=booking).status == RefundStatus.SUCCEEDED


def test_a_refund_stripe_marks_failed_later_is_retried(
    listing: Listing, alice: User, bob: User, project: CommunityProject, fake_stripe: FakeStripe
) -> None:
    booking = _confirmed(listing, bob, project, fake_stripe)
    fake_stripe.refund_status = "pending"
    services.booking_cancel(user=alice, booking=booking)
    refund = BookingRefund.objects.get(booking=booking)
    assert refund.status == RefundStatus.SENT

    # Stripe's refund.updated webhook: the refund failed after all.
    sent = fake_stripe.refunds[-1]
    refund_apply(
        payment=_payment(booking),
        refund_object={**sent, "status": "failed"},
        stripe_event_id="evt_failed",
    )
    fake_stripe.refunds_work()
    booking_refunds_retry()  # learns the outcome now, retries after the backoff
    refund.refresh_from_db()
    assert refund.status == RefundStatus.FAILED
    assert _payment(booking).refunded_cents == 0

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        booking_refunds_retry()
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert _payment(booking).refunded_cents == refund.amount_cents


def test_the_board_retries_a_refused_refund_at_once_and_it_is_audited(
    refused: BookingRefund, board: User, charlie: User, fake_stripe: FakeStripe, settings: Any
) -> None:
    settings.BOARD_MFA_REQUIRED = False  # a service call without a request (tested on pages)
    with pytest.raises(BoardOnly):
        booking_refund_retry_now(board_member=charlie, request=None, refund=refused)
    fake_stripe.refunds_work()

    refund = booking_refund_retry_now(board_member=board, request=None, refund=refused)

    assert refund.status == RefundStatus.SUCCEEDED
    entry = AuditLogEntry.objects.get(action="stays.refund_retry")
    assert entry.target == f"stays.bookingrefund:{refund.pk}"


def test_the_guest_sees_the_refused_refund_on_the_booking_page(
    refused: BookingRefund, bob_client: Client
) -> None:
    page = bob_client.get(f"/stays/bookings/{refused.booking_id}/").content.decode()

    assert "Refused by the payment provider" in page
    assert "Refund declined by the card issuer." in page


def test_the_board_page_lists_refused_refunds_and_retries_them(
    refused: BookingRefund,
    board_mfa_client: Client,
    charlie_client: Client,
    fake_stripe: FakeStripe,
) -> None:
    assert charlie_client.get("/stays/board/refunds/").status_code == 404
    page = board_mfa_client.get("/stays/board/refunds/")
    assert page.status_code == 200
    assert refused.booking.guest.display_name in page.content.decode()

    fake_stripe.refunds_work()
    board_mfa_client.post(f"/stays/board/refunds/{refused.pk}/retry/")

    refused.refresh_from_db()
    assert refused.status == RefundStatus.SUCCEEDED


def test_the_api_lists_refused_refunds_for_the_board_only(
    refused: BookingRefund,
    board_mfa_client: Client,
    charlie_client: Client,
    fake_stripe: FakeStripe,
    django_assert_max_num_queries: Any,
) -> None:
    assert charlie_client.get(f"{API}/board/refunds").status_code == 403
    assert charlie_client.post(f"{API}/board/refunds/{refused.pk}/retry").status_code == 403
    with django_assert_max_num_queries(8):
        listed = board_mfa_client.get(f"{API}/board/refunds").json()
    assert [r["id"] for r in listed["results"]] == [refused.pk]
    assert listed["results"][0]["status"] == "failed"

    fake_stripe.refunds_work()
    retried = board_mfa_client.post(f"{API}/board/refunds/{refused.pk}/retry")
    assert retried.status_code == 200
    assert retried.json()["status"] == "succeeded"
    again = board_mfa_client.post(f"{API}/board/refunds/{refused.pk}/retry")
    assert again.status_code == 409


def test_the_guest_sees_the_refund_state_in_the_api(
    refused: BookingRefund, bob_client: Client
) -> None:
    data = bob_client.get(f"{API}/bookings/{refused.booking_id}").json()

    assert data["refund"]["status"] == "failed"
    assert data["refund"]["amount_cents"] == refused.amount_cents
    assert data["refund"]["next_attempt_at"] is not None


def test_the_retry_task_is_scheduled_every_five_minutes_and_sends_due_refunds(
    refused: BookingRefund, fake_stripe: FakeStripe
) -> None:
    from stays import tasks  # noqa: PLC0415 - registers the jobs it declares

    job = registered_jobs()["stays.tasks.stays_retry_refunds"]
    assert job.every == dt.timedelta(minutes=5)
    fake_stripe.refunds_work()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        assert tasks.stays_retry_refunds.call() == 1
