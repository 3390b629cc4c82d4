from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from coop.scheduler.models import ScheduledJob, SchedulerState
from coop.scheduler.services import TICK_SECONDS, scheduler_start
from coop.scheduler.tasks import scheduler_tick, task_results_prune
from coop.scheduler.tests.conftest import NOW, run_worker
from coop.scheduler.tests.jobs import daily_job, hourly_job

TICK = scheduler_tick.module_path

# The worker closes "obsolete" connections between tasks, which would break the per-test
# transaction on PostgreSQL: tests that run it commit for real.
worker_test = pytest.mark.django_db(transaction=True)


def _ready_ticks() -> list[str]:
    return [
        str(pk)
        for pk in DBTaskResult.objects.filter(task_path=TICK, status="READY").values_list(
            "id", flat=True
        )
    ]


def _pending_tick() -> str:
    return SchedulerState.objects.get().pending_tick_id


def _runs(task_path: str) -> int:
    return DBTaskResult.objects.filter(task_path=task_path).count()


def _start() -> str:
    out = StringIO()
    call_command("scheduler_start", stdout=out)
    return out.getvalue()


@worker_test
@pytest.mark.usefixtures("database_tasks", "test_jobs")
def test_the_tick_enqueues_due_jobs_and_the_next_tick_a_minute_later() -> None:
    with time_machine.travel(NOW, tick=False):
        _start()
        first_tick = _pending_tick()
        run_worker()

    next_tick = DBTaskResult.objects.get(id=_pending_tick())
    assert next_tick.status == TaskResultStatus.READY
    assert next_tick.run_after == NOW + timedelta(seconds=TICK_SECONDS)
    assert DBTaskResult.objects.get(id=first_tick).return_value == {
        "live": True,
        "enqueued": sorted([daily_job.module_path, hourly_job.module_path]),
    }
    # The worker ran the jobs the tick enqueued.
    assert DBTaskResult.objects.get(task_path=hourly_job.module_path).return_value == "hourly"
    assert DBTaskResult.objects.get(task_path=daily_job.module_path).status == "SUCCESSFUL"
    assert SchedulerState.objects.get().last_tick_at == NOW


@worker_test
@pytest.mark.usefixtures("database_tasks", "test_jobs")
def test_jobs_run_on_their_own_schedule_as_the_ticks_go_by() -> None:
    with time_machine.travel(NOW, tick=False) as clock:
        _start()
        # Two hours and a bit of ticks, one a minute.
        for _minute in range(125):
            run_worker()
            clock.shift(timedelta(seconds=TICK_SECONDS))

    assert _runs(hourly_job.module_path) == 3  # at 0:00, 1:00 and 2:00
    assert _runs(daily_job.module_path) == 1
    assert len(_ready_ticks()) == 1


@worker_test
@pytest.mark.usefixtures("database_tasks", "test_jobs")
def test_a_stray_tick_neither_forks_the_chain_nor_enqueues_jobs_twice() -> None:
    with time_machine.travel(NOW, tick=False) as clock:
        _start()
        stray = scheduler_tick.enqueue()
        run_worker()
        clock.shift(timedelta(seconds=TICK_SECONDS + 1))
        run_worker()

    assert DBTaskResult.objects.get(id=stray.id).return_value == {"live": False, "enqueued": []}
    assert _runs(hourly_job.module_path) == 1
    assert _runs(daily_job.module_path) == 1
    assert _ready_ticks() == [_pending_tick()]
    # The live chain went on: the start tick, its successor, and the one pending now.
    assert _runs(TICK) == 4


@worker_test
@pytest.mark.usefixtures("database_tasks", "test_jobs")
def test_scheduler_start_is_idempotent() -> None:
    with time_machine.travel(NOW, tick=False):
        first = _start()
        tick = _pending_tick()
        second = _start()

    assert f"Scheduler started: tick {tick} enqueued." in first
    assert f"Scheduler already running: tick {tick} is pending." in second
    assert _ready_ticks() == [tick]
    assert SchedulerState.objects.get().started_at == NOW


@worker_test
@pytest.mark.usefixtures("database_tasks", "test_jobs")
def test_scheduler_start_keeps_a_running_tick_and_a_deferred_one() -> None:
    with time_machine.travel(NOW, tick=False) as clock:
        _start()
        run_worker()  # the pending tick is now deferred by a minute
        deferred = _pending_tick()
        assert not scheduler_start().started
        DBTaskResult.objects.filter(id=deferred).update(status="RUNNING", started_at=NOW)
        clock.shift(timedelta(minutes=2))

        outcome = scheduler_start()

    assert not outcome.started
    assert outcome.tick_id == deferred


@pytest.mark.parametrize(
    ("status", "started_minutes_ago"),
    [("FAILED", None), ("SUCCESSFUL", None), ("RUNNING", 11), (None, None)],
)
@worker_test
@pytest.mark.usefixtures("database_tasks", "test_jobs")
def test_scheduler_start_restarts_a_chain_whose_tick_is_gone(
    status: str | None, started_minutes_ago: int | None
) -> None:
    with time_machine.travel(NOW, tick=False):
        _start()
        old = _pending_tick()
        if status is None:
            DBTaskResult.objects.filter(id=old).delete()
        else:
            started = NOW - timedelta(minutes=started_minutes_ago or 0)
            DBTaskResult.objects.filter(id=old).update(status=status, started_at=started)

        outcome = scheduler_start()

    assert outcome.started
    assert outcome.tick_id != old
    assert _pending_tick() == outcome.tick_id
    assert _ready_ticks() == [outcome.tick_id]


@worker_test
@pytest.mark.usefixtures("database_tasks", "test_jobs")
def test_the_old_tick_of_a_restarted_chain_stops_when_it_finally_runs() -> None:
    with time_machine.travel(NOW, tick=False):
        _start()
        old = _pending_tick()
        # The old tick looks dead (stuck RUNNING for long), so a new chain starts...
        DBTaskResult.objects.filter(id=old).update(
            status="RUNNING", started_at=NOW - timedelta(hours=1)
        )
        new = scheduler_start().tick_id
        # ...then the old one turns out to be runnable after all.
        DBTaskResult.objects.filter(id=old).update(status="READY", started_at=None)
        run_worker()

    assert DBTaskResult.objects.get(id=old).return_value == {"live": False, "enqueued": []}
    assert DBTaskResult.objects.get(id=new).return_value == {
        "live": True,
        "enqueued": sorted([daily_job.module_path, hourly_job.module_path]),
    }
    assert _ready_ticks() == [_pending_tick()]
    assert _runs(hourly_job.module_path) == 1


def test_scheduler_start_refuses_a_backend_that_cannot_defer_tasks(db: None) -> None:
    # The test settings run tasks in-process (ImmediateBackend).
    with pytest.raises(CommandError, match="cannot run tasks later"):
        call_command("scheduler_start")

    assert not SchedulerState.objects.exclude(pending_tick_id="").exists()
    assert not ScheduledJob.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_task_results_prune_deletes_finished_results_after_two_weeks() -> None:
    def result(path: str, status: str, finished_days_ago: float | None) -> str:
        finished = None if finished_days_ago is None else NOW - timedelta(days=finished_days_ago)
        row = DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path=path,
            backend_name="default",
            status=status,
            finished_at=finished,
        )
        return str(row.id)

    old_success = result(hourly_job.module_path, "SUCCESSFUL", 15)
    old_failure = result(hourly_job.module_path, "FAILED", 15)
    recent_success = result(hourly_job.module_path, "SUCCESSFUL", 13)
    old_but_waiting = result(hourly_job.module_path, "READY", None)
    old_tick = result(TICK, "SUCCESSFUL", 1.5)
    failed_tick = result(TICK, "FAILED", 1.5)
    recent_tick = result(TICK, "SUCCESSFUL", 0.5)

    with time_machine.travel(NOW, tick=False):
        deleted = task_results_prune.call()

    assert deleted == 3
    remaining = {str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)}
    assert remaining == {recent_success, old_but_waiting, failed_tick, recent_tick}
    assert not remaining & {old_success, old_failure, old_tick}
