"""Tasks the scheduler tests register as periodic jobs (the worker imports them by path)."""

from __future__ import annotations

from django_tasks import task


@task()
def hourly_job() -> str:
    return "hourly"


@task()
def daily_job() -> str:
    return "daily"
