from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django_tasks_db.models import DBTaskResult

from coop.scheduler import registry, services
from coop.scheduler.models import ScheduledJob
from coop.scheduler.tests.conftest import NOW
from coop.scheduler.tests.jobs import daily_job, hourly_job

HOURLY = hourly_job.module_path
DAILY = daily_job.module_path


def _queued(path: str) -> int:
    return DBTaskResult.objects.filter(task_path=path).count()


pytestmark = pytest.mark.usefixtures("database_tasks", "test_jobs")


@pytest.mark.django_db
def test_a_new_job_gets_a_row_and_is_due_at_once() -> None:
    services.scheduled_job_sync(now=NOW)

    rows = {row.name: row for row in ScheduledJob.objects.all()}
    assert set(rows) == {HOURLY, DAILY}
    assert rows[HOURLY].interval_seconds == 3600
    assert rows[HOURLY].next_run_at == NOW
    assert rows[DAILY].interval_seconds == 86400


@pytest.mark.django_db
def test_a_shorter_interval_in_the_code_pulls_the_next_run_in() -> None:
    ScheduledJob.objects.create(
        name=HOURLY, interval_seconds=86400, next_run_at=NOW + timedelta(hours=20)
    )
    ScheduledJob.objects.create(
        name=DAILY, interval_seconds=3600, next_run_at=NOW + timedelta(minutes=30)
    )

    services.scheduled_job_sync(now=NOW)

    hourly = ScheduledJob.objects.get(name=HOURLY)
    assert hourly.interval_seconds == 3600
    assert hourly.next_run_at == NOW + timedelta(hours=1)
    # A longer interval waits for the run already planned.
    daily = ScheduledJob.objects.get(name=DAILY)
    assert daily.interval_seconds == 86400
    assert daily.next_run_at == NOW + timedelta(minutes=30)


@pytest.mark.django_db
def test_due_jobs_are_enqueued_and_their_next_run_counts_from_now() -> None:
    ScheduledJob.objects.create(
        name=HOURLY, interval_seconds=3600, next_run_at=NOW - timedelta(days=3)
    )

    with time_machine.travel(NOW, tick=False):
        enqueued = services.scheduled_job_enqueue_due(now=NOW)

    assert sorted(enqueued) == sorted([HOURLY, DAILY])
    hourly = ScheduledJob.objects.get(name=HOURLY)
    # Three days of missed hourly slots run once, not 72 times.
    assert _queued(HOURLY) == 1
    assert hourly.next_run_at == NOW + timedelta(hours=1)
    assert hourly.last_enqueued_at == NOW
    assert hourly.last_task_id == str(DBTaskResult.objects.get(task_path=HOURLY).id)


@pytest.mark.django_db
def test_a_job_not_yet_due_is_not_enqueued() -> None:
    ScheduledJob.objects.create(
        name=HOURLY, interval_seconds=3600, next_run_at=NOW + timedelta(seconds=1)
    )
    ScheduledJob.objects.create(name=DAILY, interval_seconds=86400, next_run_at=NOW)

    enqueued = services.scheduled_job_enqueue_due(now=NOW)
    later = services.scheduled_job_enqueue_due(now=NOW + timedelta(seconds=1))

    assert enqueued == [DAILY]
    assert later == [HOURLY]
    assert _queued(HOURLY) == 1
    assert _queued(DAILY) == 1


@pytest.mark.django_db
def test_of_two_ticks_that_both_saw_a_job_due_only_one_claims_the_run() -> None:
    ScheduledJob.objects.create(name=HOURLY, interval_seconds=3600, next_run_at=NOW)
    # Both ticks read the row before either wrote: the race the guarded update is for.
    first_view = ScheduledJob.objects.get(name=HOURLY)
    second_view = ScheduledJob.objects.get(name=HOURLY)

    first = services.scheduled_job_claim(job=first_view, now=NOW + timedelta(seconds=1))
    second = services.scheduled_job_claim(job=second_view, now=NOW + timedelta(seconds=2))

    assert (first, second) == (True, False)
    assert ScheduledJob.objects.get(name=HOURLY).next_run_at == NOW + timedelta(hours=1, seconds=1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_the_same_moment_enqueue_each_due_job_once() -> None:
    services.scheduled_job_sync(now=NOW)
    real_claim = services.scheduled_job_claim
    both_read = threading.Barrier(2, timeout=10)
    outcomes: list[list[str]] = []
    errors: list[BaseException] = []

    def claim_after_both_read(**kwargs: Any) -> bool:
        both_read.wait()
        return real_claim(**kwargs)

    def tick() -> None:
        try:
            outcomes.append(services.scheduled_job_enqueue_due(now=NOW))
        except BaseException as exc:  # surfaced below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    with mock.patch.object(services, "scheduled_job_claim", side_effect=claim_after_both_read):
        threads = [threading.Thread(target=tick) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    assert sorted(name for outcome in outcomes for name in outcome) == sorted([HOURLY, DAILY])
    assert _queued(HOURLY) == 1
    assert _queued(DAILY) == 1


@pytest.mark.django_db
def test_a_job_that_cannot_be_enqueued_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    backend_class = type(hourly_job.get_backend())
    real_enqueue = backend_class.enqueue

    def enqueue(self: Any, task: Any, args: Any, kwargs: Any) -> Any:
        if task.module_path == HOURLY:
            raise ConnectionError("queue unavailable")
        return real_enqueue(self, task, args, kwargs)

    with mock.patch.object(backend_class, "enqueue", enqueue):
        enqueued = services.scheduled_job_enqueue_due(now=NOW)

    assert enqueued == [DAILY]
    assert _queued(HOURLY) == 0
    # The failed run stays due, so the next tick tries it again.
    assert ScheduledJob.objects.get(name=HOURLY).next_run_at == NOW
    assert "Could not enqueue the periodic job" in caplog.text


@pytest.mark.django_db
def test_rows_of_jobs_no_longer_in_the_code_are_left_alone() -> None:
    ScheduledJob.objects.create(
        name="gone.tasks.old_job", interval_seconds=60, next_run_at=NOW - timedelta(days=1)
    )

    enqueued = services.scheduled_job_enqueue_due(now=NOW)

    assert "gone.tasks.old_job" not in enqueued
    assert ScheduledJob.objects.filter(name="gone.tasks.old_job").exists()
    assert registry.registered_jobs().keys() == {HOURLY, DAILY}
