"""`manage.py scheduler_start`: make sure the scheduler's tick chain is running.

Safe to run on every deploy and start-up (`make run` does): when a tick is already pending it
changes nothing. The ticks themselves run on `manage.py db_worker`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from coop.scheduler.services import scheduler_start


class Command(BaseCommand):
    help = "Start the periodic-job scheduler, unless a scheduler tick is already pending."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = scheduler_start()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        if outcome.started:
            self.stdout.write(f"Scheduler started: tick {outcome.tick_id} enqueued.")
        else:
            self.stdout.write(f"Scheduler already running: tick {outcome.tick_id} is pending.")
