"""`/healthz`: can this process serve? For load balancers and the people on call.

Three checks, each with its own status and a few figures:

- `database`: a `SELECT 1` on the default database;
- `channel_layer`: a real round trip through the channel layer (send a message to a fresh
  channel and receive it), so a Redis that accepts connections but cannot deliver shows up;
- `tasks`: the task table is readable, how many tasks are ready to run and how long the oldest
  has waited, and when the scheduler's tick last ran.

A check is `ok`, `degraded` (working, but someone should look: tasks are waiting with no worker
to run them, the scheduler stopped ticking) or `down`. The report takes the worst status; HTTP
is 503 only when something is down, so a load balancer keeps a degraded node in rotation.

The view never raises: each check catches its own failure and reports the exception's class
(never its message, which may carry host names or credentials). No authentication: load
balancers call it, so it shows no secrets and nothing about members.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.db.models import Count, Min, Q
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks import TaskResultStatus, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from coop.scheduler.models import SchedulerState

logger = logging.getLogger(__name__)

OK = "ok"
DEGRADED = "degraded"
DOWN = "down"
_SEVERITY = {OK: 0, DEGRADED: 1, DOWN: 2}

CHECK_TIMEOUT_SECONDS = 3.0
# Ready tasks older than this mean no worker is taking them.
READY_TASK_STALE_AFTER = timedelta(minutes=5)
# The tick runs every minute; five missed ticks mean the chain or the worker stopped.
SCHEDULER_STALE_AFTER = timedelta(minutes=5)

Report = dict[str, Any]


def _failure(exc: BaseException) -> Report:
    return {"status": DOWN, "error": type(exc).__name__}


def _database() -> Report:
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {
        "status": OK,
        "vendor": connection.vendor,
        "latency_ms": round((time.monotonic() - started) * 1000, 1),
    }


async def _channel_layer() -> Report:
    layer = get_channel_layer()
    if layer is None:
        return {"status": DOWN, "error": "not_configured"}
    started = time.monotonic()
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "health.ping"})
    message = await layer.receive(channel)
    if message.get("type") != "health.ping":
        return {"status": DOWN, "error": "wrong_message"}
    return {
        "status": OK,
        "backend": type(layer).__name__,
        "latency_ms": round((time.monotonic() - started) * 1000, 1),
    }


def _seconds(delta: timedelta | None) -> int | None:
    return None if delta is None else max(0, int(delta.total_seconds()))


def _tasks() -> Report:
    now = timezone.now()
    backend = task_backends["default"]
    report: Report = {"status": OK, "backend": type(backend).__name__}
    no_run_after = get_date_max()
    # A ready task has waited since it was enqueued, or since its run_after if it was deferred.
    figures = DBTaskResult.objects.ready().aggregate(
        ready=Count("id"),
        oldest_enqueued=Min("enqueued_at", filter=Q(run_after=no_run_after)),
        oldest_due=Min("run_after", filter=~Q(run_after=no_run_after)),
    )
    waiting_since = [t for t in (figures["oldest_enqueued"], figures["oldest_due"]) if t]
    oldest_wait = now - min(waiting_since) if waiting_since else None
    report["ready"] = figures["ready"]
    report["oldest_ready_seconds"] = _seconds(oldest_wait)
    report["running"] = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count()
    problems: list[str] = []
    if oldest_wait is not None and oldest_wait > READY_TASK_STALE_AFTER:
        problems.append("ready tasks are waiting; is a worker running?")

    if isinstance(backend, DatabaseBackend):
        state = SchedulerState.objects.filter(pk=SchedulerState.SINGLETON_PK).first()
        last_tick: datetime | None = state.last_tick_at if state else None
        report["scheduler_last_tick_at"] = last_tick.isoformat() if last_tick else None
        alive_since = last_tick or (state.started_at if state else None)
        if alive_since is None:
            problems.append("the scheduler has not been started (manage.py scheduler_start)")
        elif now - alive_since > SCHEDULER_STALE_AFTER:
            problems.append("the scheduler has not ticked recently")
    if problems:
        report["status"] = DEGRADED
        report["problems"] = problems
    return report


async def _run(name: str, check: Callable[[], Awaitable[Report]]) -> Report:
    try:
        return await asyncio.wait_for(check(), timeout=CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        logger.warning("Health check %s timed out", name)
        return {"status": DOWN, "error": "timeout"}
    except Exception as exc:
        logger.exception("Health check %s failed", name)
        return _failure(exc)


@never_cache
@require_safe
async def healthz(request: HttpRequest) -> JsonResponse:
    database, channel_layer, tasks = await asyncio.gather(
        _run("database", sync_to_async(_database)),
        _run("channel_layer", _channel_layer),
        _run("tasks", sync_to_async(_tasks)),
    )
    checks = {"database": database, "channel_layer": channel_layer, "tasks": tasks}
    status = max((check["status"] for check in checks.values()), key=_SEVERITY.__getitem__)
    return JsonResponse({"status": status, "checks": checks}, status=503 if status == DOWN else 200)
