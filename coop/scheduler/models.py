"""The scheduler's state in the database: when each periodic job runs next, and the tick chain.

There is no cron. A `scheduler_tick` task runs about once a minute on the task worker: it
enqueues the jobs that are due and then enqueues the next tick for a minute later, so the ticks
form a chain through the task queue itself. `SchedulerState` (one row) records which tick is
the live link of that chain; any other tick that runs is a stray and stops.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ScheduledJob(models.Model):
    """One registered periodic job (see coop.scheduler.registry) and when it is due."""

    name = models.CharField(max_length=255, unique=True, help_text="The task's module path.")
    interval_seconds = models.PositiveIntegerField()
    next_run_at = models.DateTimeField(default=timezone.now)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)
    # The task result id of the last run we enqueued, to find it in the task queue.
    last_task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interval_seconds__gt=0),
                name="scheduler_scheduledjob_interval_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SchedulerState(models.Model):
    """The single row (pk 1) that names the live tick of the chain."""

    SINGLETON_PK = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK)
    pending_tick_id = models.CharField(
        max_length=64, blank=True, help_text="Task result id of the tick that is due next."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    last_tick_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id=1), name="scheduler_schedulerstate_singleton"
            ),
        ]

    def __str__(self) -> str:
        return f"scheduler (pending tick {self.pending_tick_id or 'none'})"
