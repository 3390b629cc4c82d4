"""Background work of governance: open, remind and close ballots when their time comes."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from coop.scheduler.registry import periodic
from governance import services


@periodic(every=timedelta(minutes=1))
@task()
def governance_ballots_tick() -> dict[str, int]:
    """Open due ballots (freezing rolls), send closing-soon reminders, close and count.

    Every step is a guarded update, so overlapping runs (or a request that got there first)
    do each thing once.
    """
    return {
        "opened": services.ballots_open_due(),
        "reminded": services.ballots_remind_closing_soon(),
        "closed": services.ballots_close_due(),
    }
