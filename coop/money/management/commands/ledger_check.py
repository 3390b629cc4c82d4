"""`manage.py ledger_check`: recompute every balance from the entries; exit 1 on any difference."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from coop.money.ledger import ledger_problems
from coop.money.models import Account, LedgerTransaction


class Command(BaseCommand):
    help = "Check that every ledger transaction sums to zero and every cached balance is right."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = ledger_problems()
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"The ledger has {len(problems)} problem(s).", returncode=1)
        self.stdout.write(
            f"Ledger OK: {LedgerTransaction.objects.count()} transactions, "
            f"{Account.objects.count()} accounts balance."
        )
