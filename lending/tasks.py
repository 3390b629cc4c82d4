"""Periodic work of the lending service."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from coop.scheduler.registry import periodic
from lending import services


@periodic(every=timedelta(minutes=15))
@task()
def lending_expire_requests() -> int:
    """Requests nobody answered in time expire and free the calendar."""
    return services.reservations_expire()


@periodic(every=timedelta(minutes=15))
@task()
def lending_send_reminders() -> int:
    """Reminders before pickup and before the due time; overdue notices."""
    return services.reservations_remind()


@periodic(every=timedelta(minutes=5))
@task()
def lending_expire_hold_offers() -> int:
    """Queue offers not taken up in time pass to the next member waiting."""
    return services.holds_expire_offers()
