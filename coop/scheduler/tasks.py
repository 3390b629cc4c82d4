"""The scheduler's own tasks: the tick that drives periodic work, and pruning the task table."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tasks import TaskContext, task

from coop.scheduler import services
from coop.scheduler.registry import periodic

logger = logging.getLogger(__name__)


@task(takes_context=True)
def scheduler_tick(context: TaskContext) -> dict[str, Any]:
    """Hand the chain on to the next tick, then enqueue the periodic jobs that are due.

    The hand-over comes first so that a job that fails to enqueue cannot break the chain. A
    tick that is not the live one (a duplicate, or left over from an older chain) stops here.
    """
    tick_id = str(context.task_result.id)
    now = timezone.now()
    if not services.scheduler_tick_hand_over(tick_id=tick_id, now=now):
        logger.info("Scheduler tick %s is not the live tick; stopping.", tick_id)
        return {"live": False, "enqueued": []}
    enqueued = services.scheduled_job_enqueue_due(now=now)
    return {"live": True, "enqueued": enqueued}


@periodic(every=timedelta(hours=6))
@task()
def task_results_prune() -> int:
    """Delete finished task results after two weeks (scheduler ticks after a day)."""
    return services.task_result_prune(now=timezone.now())
