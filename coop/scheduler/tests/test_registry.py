from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from unittest import mock

import pytest
from django_tasks import TaskContext, task

from coop.notifications.tasks import notifications_prune
from coop.scheduler import registry
from coop.scheduler.tasks import task_results_prune
from coop.scheduler.tests.jobs import daily_job, hourly_job


@task()
def needs_arguments(member_id: int) -> None:
    return None


@task(takes_context=True)
def takes_only_context(context: TaskContext) -> None:
    return None


@pytest.fixture
def empty_registry() -> Iterator[None]:
    with mock.patch.dict(registry._jobs, clear=True):
        yield


def test_apps_register_their_jobs_when_django_starts() -> None:
    jobs = registry.registered_jobs()

    assert jobs[notifications_prune.module_path].every == timedelta(days=1)
    assert jobs[task_results_prune.module_path].every == timedelta(hours=6)


@pytest.mark.usefixtures("empty_registry")
def test_a_job_is_keyed_by_its_task_path_and_the_task_is_returned_unchanged() -> None:
    returned = registry.periodic(every=timedelta(hours=1))(hourly_job)

    assert returned is hourly_job
    job = registry.registered_jobs()["coop.scheduler.tests.jobs.hourly_job"]
    assert job.task is hourly_job
    assert job.interval_seconds == 3600


@pytest.mark.usefixtures("empty_registry")
def test_registering_the_same_job_twice_is_harmless_but_a_second_interval_is_refused() -> None:
    registry.periodic(every=timedelta(days=1))(daily_job)
    registry.periodic(every=timedelta(days=1))(daily_job)

    with pytest.raises(ValueError, match="already registered"):
        registry.periodic(every=timedelta(hours=1))(daily_job)
    assert len(registry.registered_jobs()) == 1


@pytest.mark.usefixtures("empty_registry")
def test_a_job_that_needs_arguments_is_refused() -> None:
    with pytest.raises(TypeError, match="member_id"):
        registry.periodic(every=timedelta(hours=1))(needs_arguments)


@pytest.mark.usefixtures("empty_registry")
def test_a_job_may_take_the_task_context() -> None:
    registry.periodic(every=timedelta(hours=1))(takes_only_context)

    assert takes_only_context.module_path in registry.registered_jobs()


def test_only_tasks_can_be_registered() -> None:
    with pytest.raises(TypeError, match="@task"):
        registry.periodic(every=timedelta(hours=1))(lambda: None)  # type: ignore[type-var]


def test_an_interval_under_a_second_is_refused() -> None:
    with pytest.raises(ValueError, match="at most every second"):
        registry.periodic(every=timedelta(milliseconds=10))


def test_the_registry_cannot_be_changed_from_outside() -> None:
    jobs = registry.registered_jobs()
    jobs.clear()

    assert registry.registered_jobs()
