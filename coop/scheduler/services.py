"""Every write of the scheduler: keeping job rows in step with the registry, claiming due runs,
and keeping exactly one tick chain alive.

Concurrency: several workers may run ticks at once (a stray tick, two `scheduler_start` calls
racing, a tick running late while a new chain starts). Two guarded updates keep that safe
without locks:

- a due run of a job belongs to whoever moves `next_run_at` from the value it read
  (`filter(pk=..., next_run_at=old).update(next_run_at=new)` changed one row), so a run is
  enqueued once however many ticks see it due;
- the chain belongs to the tick named in `SchedulerState.pending_tick_id`; a tick hands it on by
  swapping in its successor's id with the same kind of update, and a tick that loses (or was
  never the live one) enqueues nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks_db.models import DBTaskResult

from coop.scheduler.models import ScheduledJob, SchedulerState
from coop.scheduler.registry import registered_jobs

logger = logging.getLogger(__name__)

TICK_SECONDS = 60
# A tick takes milliseconds; one still RUNNING after this died with its worker.
TICK_STALE_AFTER = timedelta(minutes=10)
TASK_RESULT_RETENTION = timedelta(days=14)
# Ticks leave 1,440 results a day; they say nothing once the next ones have run.
TICK_RESULT_RETENTION = timedelta(days=1)


def _tick_task() -> Task[Any, Any]:
    # Imported late: coop.scheduler.tasks imports this module.
    from coop.scheduler.tasks import scheduler_tick  # noqa: PLC0415

    return scheduler_tick


def scheduled_job_sync(*, now: datetime) -> None:
    """Make sure every registered job has a row, with the interval the code now says.

    A new job is due at once. A shortened interval pulls `next_run_at` in so the new interval
    holds from now; a lengthened one takes effect after the next run.
    """
    jobs = registered_jobs()
    rows = {row.name: row for row in ScheduledJob.objects.filter(name__in=jobs)}
    for name, job in jobs.items():
        row = rows.get(name)
        if row is None:
            # get_or_create: two ticks adding the same new job at once both end with one row.
            ScheduledJob.objects.get_or_create(
                name=name, defaults={"interval_seconds": job.interval_seconds, "next_run_at": now}
            )
        elif row.interval_seconds != job.interval_seconds:
            latest = now + job.every
            ScheduledJob.objects.filter(pk=row.pk).update(interval_seconds=job.interval_seconds)
            ScheduledJob.objects.filter(pk=row.pk, next_run_at__gt=latest).update(
                next_run_at=latest
            )


def scheduled_job_claim(*, job: ScheduledJob, now: datetime) -> bool:
    """Take the due run of `job` as read; True means the caller (alone) must enqueue it.

    The next run counts from now, not from the missed slot, so a scheduler that was down for a
    day runs a job once when it comes back instead of catching up every missed interval.
    """
    if job.next_run_at > now:
        return False
    claimed = ScheduledJob.objects.filter(pk=job.pk, next_run_at=job.next_run_at).update(
        next_run_at=now + timedelta(seconds=job.interval_seconds), last_enqueued_at=now
    )
    return claimed == 1


def scheduled_job_enqueue_due(*, now: datetime) -> list[str]:
    """Enqueue every registered job that is due; returns the names of those we enqueued."""
    scheduled_job_sync(now=now)
    jobs = registered_jobs()
    enqueued: list[str] = []
    for row in ScheduledJob.objects.filter(name__in=jobs, next_run_at__lte=now):
        try:
            # The claim and the queued task commit together: a failed enqueue leaves it due.
            with transaction.atomic():
                if not scheduled_job_claim(job=row, now=now):
                    continue
                result = jobs[row.name].task.enqueue()
                ScheduledJob.objects.filter(pk=row.pk).update(last_task_id=str(result.id))
        except Exception:
            # One broken job must not keep the others (or the next tick) from running.
            logger.exception("Could not enqueue the periodic job %s", row.name)
            continue
        enqueued.append(row.name)
    return enqueued


def scheduler_tick_hand_over(*, tick_id: str, now: datetime) -> bool:
    """If `tick_id` is the live tick, enqueue the next one and make it live; else do nothing.

    Returns whether `tick_id` was the live tick (False: a stray, which must stop).
    """
    scheduler_tick = _tick_task()
    if not SchedulerState.objects.filter(
        pk=SchedulerState.SINGLETON_PK, pending_tick_id=tick_id
    ).exists():
        return False
    with transaction.atomic():
        successor = scheduler_tick.using(run_after=now + timedelta(seconds=TICK_SECONDS)).enqueue()
        handed = SchedulerState.objects.filter(
            pk=SchedulerState.SINGLETON_PK, pending_tick_id=tick_id
        ).update(pending_tick_id=str(successor.id), last_tick_at=now)
        if not handed:
            # The chain was restarted between our check and now: drop our successor.
            transaction.set_rollback(True)
            return False
    return True


@dataclass(frozen=True)
class SchedulerStart:
    tick_id: str
    started: bool  # False: a live tick was already pending, nothing changed


def _tick_is_alive(tick_id: str, *, now: datetime) -> bool:
    scheduler_tick = _tick_task()
    try:
        result = scheduler_tick.get_backend().get_result(tick_id)
    except TaskResultDoesNotExist:
        return False
    if result.status == TaskResultStatus.READY:
        return True
    if result.status == TaskResultStatus.RUNNING:
        return result.started_at is not None and now - result.started_at < TICK_STALE_AFTER
    return False


def scheduler_start(*, now: datetime | None = None) -> SchedulerStart:
    """Make sure one tick is pending: keep a live one, or start a new chain. Idempotent."""
    scheduler_tick = _tick_task()
    now = now or timezone.now()
    backend = scheduler_tick.get_backend()
    if not (backend.supports_defer and backend.supports_get_result):
        raise ImproperlyConfigured(
            f"The task backend {type(backend).__name__} cannot run tasks later or look them "
            "up; the scheduler needs one that can (django_tasks_db.DatabaseBackend)."
        )
    state, _ = SchedulerState.objects.get_or_create(pk=SchedulerState.SINGLETON_PK)
    if state.pending_tick_id and _tick_is_alive(state.pending_tick_id, now=now):
        return SchedulerStart(tick_id=state.pending_tick_id, started=False)
    with transaction.atomic():
        tick = scheduler_tick.enqueue()
        replaced = SchedulerState.objects.filter(
            pk=SchedulerState.SINGLETON_PK, pending_tick_id=state.pending_tick_id
        ).update(pending_tick_id=str(tick.id), started_at=now)
        if replaced:
            return SchedulerStart(tick_id=str(tick.id), started=True)
        # Another process started a chain at the same moment; theirs stands, ours is dropped.
        transaction.set_rollback(True)
    state.refresh_from_db()
    return SchedulerStart(tick_id=state.pending_tick_id, started=False)


def task_result_prune(*, now: datetime) -> int:
    """Delete finished task results older than the retention; returns how many went."""
    scheduler_tick = _tick_task()
    finished = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]
    )
    deleted, _ = finished.filter(
        Q(finished_at__lt=now - TASK_RESULT_RETENTION)
        | Q(
            task_path=scheduler_tick.module_path,
            status=TaskResultStatus.SUCCESSFUL,
            finished_at__lt=now - TICK_RESULT_RETENTION,
        )
    ).delete()
    return deleted
