"""Background work on the ledger."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from coop.money.ledger import ledger_rollup
from coop.scheduler.registry import periodic


@periodic(every=timedelta(minutes=1))
@task()
def ledger_rollup_hot_accounts() -> int:
    """Fold new entries of the co-op's busy accounts into their cached balances."""
    return ledger_rollup()
