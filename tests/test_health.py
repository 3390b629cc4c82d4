from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.db import OperationalError
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from coop import health
from coop.scheduler.models import SchedulerState

URL = "/healthz"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_tasks() -> Iterator[None]:
    with override_settings(TASKS=DATABASE_TASKS):
        yield


@pytest.fixture
def scheduler_ticking() -> None:
    SchedulerState.objects.create(pending_tick_id="next", last_tick_at=timezone.now())


def _ready_task(*, enqueued_minutes_ago: float, run_after_minutes_ago: float | None = None) -> None:
    now = timezone.now()
    with time_machine.travel(now - timedelta(minutes=enqueued_minutes_ago), tick=False):
        DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="coop.members.tasks.email_deliver",
            backend_name="default",
            run_after=(
                get_date_max()
                if run_after_minutes_ago is None
                else now - timedelta(minutes=run_after_minutes_ago)
            ),
        )


class BrokenLayer:
    async def new_channel(self) -> str:
        raise ConnectionError("Error 111 connecting to redis://:hunter2@10.0.0.5:6379")


class SilentLayer:
    """Accepts messages and never delivers them."""

    async def new_channel(self) -> str:
        return "specific.test!abc"

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        return None

    async def receive(self, channel: str) -> dict[str, Any]:
        await asyncio.sleep(60)
        return {}


@pytest.mark.usefixtures("database_tasks", "scheduler_ticking")
def test_all_checks_ok_answers_200(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "channel_layer", "tasks"}
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["channel_layer"]["status"] == "ok"
    assert body["checks"]["channel_layer"]["backend"] in {
        "InMemoryChannelLayer",
        "RedisChannelLayer",
    }
    tasks = body["checks"]["tasks"]
    assert tasks["status"] == "ok"
    assert tasks["backend"] == "DatabaseBackend"
    assert tasks["ready"] == 0
    assert tasks["oldest_ready_seconds"] is None
    assert tasks["scheduler_last_tick_at"] is not None
    assert "no-cache" in response["Cache-Control"]


def test_it_is_ok_with_tasks_running_in_process(client: Client) -> None:
    # The test settings' ImmediateBackend has no queue and no scheduler to watch.
    response = client.get(URL)

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["tasks"]["backend"] == "ImmediateBackend"


def test_a_broken_channel_layer_is_down_with_503(client: Client) -> None:
    with mock.patch.object(health, "get_channel_layer", return_value=BrokenLayer()):
        response = client.get(URL)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"]["channel_layer"] == {"status": "down", "error": "ConnectionError"}
    assert body["checks"]["database"]["status"] == "ok"
    # The exception's message (with its host and password) stays in the logs.
    assert "hunter2" not in response.content.decode()


def test_a_channel_layer_that_never_delivers_is_down(client: Client) -> None:
    with (
        mock.patch.object(health, "get_channel_layer", return_value=SilentLayer()),
        mock.patch.object(health, "CHECK_TIMEOUT_SECONDS", 0.2),
    ):
        response = client.get(URL)

    assert response.status_code == 503
    assert response.json()["checks"]["channel_layer"] == {"status": "down", "error": "timeout"}


def test_a_missing_channel_layer_is_down(client: Client) -> None:
    with mock.patch.object(health, "get_channel_layer", return_value=None):
        response = client.get(URL)

    assert response.status_code == 503
    assert response.json()["checks"]["channel_layer"]["error"] == "not_configured"


def test_an_unreachable_database_is_down(client: Client) -> None:
    failure = OperationalError("could not connect to server at 10.0.0.5, password=hunter2")
    with mock.patch.object(health.connection, "cursor", side_effect=failure):
        response = client.get(URL)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"]["database"] == {"status": "down", "error": "OperationalError"}
    assert "hunter2" not in response.content.decode()


@pytest.mark.usefixtures("database_tasks", "scheduler_ticking")
def test_ready_tasks_waiting_for_minutes_make_it_degraded(client: Client) -> None:
    _ready_task(enqueued_minutes_ago=7)
    _ready_task(enqueued_minutes_ago=1)

    response = client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    tasks = body["checks"]["tasks"]
    assert tasks["status"] == "degraded"
    assert tasks["ready"] == 2
    assert 7 * 60 <= tasks["oldest_ready_seconds"] < 8 * 60
    assert tasks["problems"] == ["ready tasks are waiting; is a worker running?"]


@pytest.mark.usefixtures("database_tasks", "scheduler_ticking")
def test_a_deferred_task_waits_from_its_run_after_not_from_when_it_was_enqueued(
    client: Client,
) -> None:
    # Enqueued an hour ago to run a minute ago: it has waited one minute.
    _ready_task(enqueued_minutes_ago=60, run_after_minutes_ago=1)
    # Not due yet, so not waiting at all.
    _ready_task(enqueued_minutes_ago=60, run_after_minutes_ago=-30)

    tasks = client.get(URL).json()["checks"]["tasks"]

    assert tasks["status"] == "ok"
    assert tasks["ready"] == 1
    assert 60 <= tasks["oldest_ready_seconds"] < 120


@pytest.mark.usefixtures("database_tasks")
def test_a_scheduler_that_never_started_makes_it_degraded(client: Client) -> None:
    tasks = client.get(URL).json()["checks"]["tasks"]

    assert tasks["status"] == "degraded"
    assert tasks["scheduler_last_tick_at"] is None
    assert tasks["problems"] == ["the scheduler has not been started (manage.py scheduler_start)"]


@pytest.mark.usefixtures("database_tasks")
def test_a_scheduler_that_stopped_ticking_makes_it_degraded(client: Client) -> None:
    SchedulerState.objects.create(
        pending_tick_id="lost", last_tick_at=timezone.now() - timedelta(minutes=6)
    )

    response = client.get(URL)

    assert response.status_code == 200
    assert response.json()["checks"]["tasks"]["problems"] == [
        "the scheduler has not ticked recently"
    ]


def test_an_unreadable_task_table_is_down(client: Client) -> None:
    with mock.patch.object(
        DBTaskResult.objects, "ready", side_effect=OperationalError("no such table")
    ):
        response = client.get(URL)

    assert response.status_code == 503
    assert response.json()["checks"]["tasks"] == {"status": "down", "error": "OperationalError"}


def test_load_balancers_may_send_head(client: Client) -> None:
    assert client.head(URL).status_code == 200
    assert client.post(URL).status_code == 405
