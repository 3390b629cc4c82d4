"""Commuter pools: booking the board's proposal, and working it out in the background."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from coop.exceptions import DomainError
from coop.members.models import User
from coop.notifications.services import notification_send
from governance.audit import audit_record
from rides import selectors
from rides.models import (
    Booking,
    PoolRun,
    PoolRunStatus,
)
from rides.services.bookings import booking_request

logger = logging.getLogger(__name__)


# --- Commuter pools ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PoolSkipped:
    place: selectors.PoolPlace
    reason: str


@dataclass(frozen=True, slots=True)
class PoolBooked:
    bookings: list[Booking]
    skipped: list[PoolSkipped]


def pool_book(*, coordinator: User, depart_after: datetime, depart_before: datetime) -> PoolBooked:
    """Turn the commuter pool of a window into bookings, one per assigned saved search.

    Caller has checked that `coordinator` may act for the board. Each seat goes through the
    normal booking (seats locked, never oversold; the driver's approval where the ride asks for
    it), and the passenger is asked to hold the price on their card within the payment window,
    or the seat is released: nobody pays for a seat they did not confirm. A place that can no
    longer be booked (seats gone meanwhile, the member no longer in good standing) is skipped
    with its reason."""
    proposal = selectors.pool_proposal(depart_after=depart_after, depart_before=depart_before)
    booked: list[Booking] = []
    skipped: list[PoolSkipped] = []
    for place in proposal.places:
        passenger = place.alert.member
        try:
            booking = booking_request(
                passenger=passenger,
                offer=place.offer,
                seats=place.alert.seats,
                pickup=place.match.pickup,
                dropoff=place.match.dropoff,
            )
        except DomainError as error:
            skipped.append(PoolSkipped(place, error.message))
            continue
        booked.append(booking)
        pay_by = (
            f" by {timezone.localtime(booking.pay_by):%H:%M}" if booking.pay_by is not None else ""
        )
        notification_send(
            recipient=passenger,
            kind="rides.pool_seat",
            title=f"The commuter pool found you a seat: {place.offer}",
            body=(
                f"For your saved search “{place.alert}”. Hold the price on your card{pay_by} to "
                "keep it; otherwise it is released and nothing is charged."
            ),
            url=f"/rides/offers/{place.offer.pk}/",
        )
    audit_record(
        actor=coordinator,
        action="rides.pool_book",
        target=f"{depart_after.isoformat()}/{depart_before.isoformat()}",
        details={
            "bookings": [b.pk for b in booked],
            "skipped": [{"alert": s.place.alert.pk, "reason": s.reason} for s in skipped],
            "optimal": proposal.optimal,
        },
    )
    return PoolBooked(bookings=booked, skipped=skipped)


def pool_run_start(
    *, coordinator: User, depart_after: datetime, depart_before: datetime
) -> PoolRun:
    """Have the pool of a window worked out in the background (rides_pool_work_out); the board's
    page shows "working out" until the run is done. Caller has checked that `coordinator` may
    act for the board."""
    run = PoolRun.objects.create(
        depart_after=depart_after, depart_before=depart_before, requested_by=coordinator
    )
    transaction.on_commit(lambda: _enqueue_pool_work_out(run.pk))
    return run


def _enqueue_pool_work_out(run_id: int) -> None:
    from rides.tasks import rides_pool_work_out  # noqa: PLC0415 (tasks import us)

    rides_pool_work_out.enqueue(run_id=run_id)


def pool_run_work_out(*, run: PoolRun) -> PoolRun:
    """Work out the run's proposal and store it; a run already finished is left as it is."""
    if run.status != PoolRunStatus.WORKING:
        return run
    try:
        proposal = selectors.pool_proposal(
            depart_after=run.depart_after, depart_before=run.depart_before
        )
    except Exception:
        logger.exception("Commuter pool run %s failed", run.pk)
        PoolRun.objects.filter(pk=run.pk, status=PoolRunStatus.WORKING).update(
            status=PoolRunStatus.FAILED, finished_at=timezone.now()
        )
        raise
    # Guarded: two deliveries of the task store one result.
    PoolRun.objects.filter(pk=run.pk, status=PoolRunStatus.WORKING).update(
        status=PoolRunStatus.DONE,
        result=selectors.pool_proposal_to_json(proposal),
        finished_at=timezone.now(),
    )
    run.refresh_from_db()
    return run
