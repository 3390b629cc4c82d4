from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import override_settings

from coop.scheduler import registry
from coop.scheduler.tests.jobs import daily_job, hourly_job

NOW = datetime(2030, 4, 1, 8, 0, tzinfo=UTC)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_tasks() -> Iterator[None]:
    """Tasks go to the database queue (as in production) instead of running in-process."""
    with override_settings(TASKS=DATABASE_TASKS):
        yield


@pytest.fixture
def test_jobs() -> Iterator[dict[str, registry.PeriodicJob]]:
    """Only the two test jobs are registered, hourly and daily."""
    with mock.patch.dict(registry._jobs, clear=True):
        registry.periodic(every=timedelta(hours=1))(hourly_job)
        registry.periodic(every=timedelta(days=1))(daily_job)
        yield registry.registered_jobs()


def run_worker() -> str:
    """Run every task that is ready now, as `manage.py db_worker` does, then return its log."""
    out = StringIO()
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=out)
    return out.getvalue()
