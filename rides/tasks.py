"""Background work of the rides service."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from coop.scheduler.registry import periodic
from rides import services
from rides.models import Commute, PoolRun


@periodic(every=timedelta(days=1))
@task()
def rides_commutes_extend() -> int:
    """Keep every running commute's rides created two weeks ahead. Returns how many were made."""
    made = 0
    for commute in Commute.objects.filter(until__gte=timezone.localdate()).select_related("driver"):
        if commute.driver.in_good_standing:
            made += len(services.commute_extend(commute=commute))
    return made


@periodic(every=timedelta(minutes=5))
@task()
def rides_expire_unpaid() -> int:
    """Bookings not paid within rides.payment_hold_minutes release their seats."""
    return services.bookings_expire_unpaid()


@task()
def rides_pool_work_out(run_id: int) -> str:
    """Work out a commuter pool run the board asked for. Returns the run's status."""
    run = PoolRun.objects.filter(pk=run_id).first()
    if run is None:
        return "gone"
    return services.pool_run_work_out(run=run).status
