"""Periodic jobs: which tasks the scheduler enqueues, and how often.

An app registers a job in its `tasks.py` by stacking `periodic` on a django-tasks task that
takes no arguments:

    @periodic(every=timedelta(days=1))
    @task()
    def notifications_prune() -> int: ...

The job's name is the task's module path (`coop.notifications.tasks.notifications_prune`), the
same string the task queue stores, so a row in `ScheduledJob` and a queued run of it are easy to
match. `SchedulerConfig.ready()` imports every installed app's `tasks` module, so a job is known
to every process (web, worker, management commands) without a central list.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from django_tasks.base import Task

TaskT = TypeVar("TaskT", bound=Task[Any, Any])


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Task[Any, Any]
    every: timedelta

    @property
    def interval_seconds(self) -> int:
        return int(self.every.total_seconds())


_jobs: dict[str, PeriodicJob] = {}


def periodic(*, every: timedelta) -> Callable[[TaskT], TaskT]:
    """Register a task to be enqueued by the scheduler every `every` (at least a second)."""
    if every < timedelta(seconds=1):
        raise ValueError(f"A periodic job runs at most every second, not every {every}.")

    def register(task: TaskT) -> TaskT:
        if not isinstance(task, Task):
            raise TypeError("@periodic goes above @task(): it registers a django-tasks Task.")
        parameters = list(inspect.signature(task.func).parameters)
        if task.takes_context:
            parameters = parameters[1:]
        if parameters:
            raise TypeError(
                f"{task.module_path} takes arguments ({', '.join(parameters)}); "
                "the scheduler enqueues periodic jobs without any."
            )
        job = PeriodicJob(name=task.module_path, task=task, every=every)
        existing = _jobs.get(job.name)
        if existing is not None and existing.every != every:
            raise ValueError(f"{job.name} is already registered every {existing.every}.")
        _jobs[job.name] = job
        return task

    return register


def registered_jobs() -> dict[str, PeriodicJob]:
    """Every registered job by name (a copy: callers cannot change the registry)."""
    return dict(_jobs)
