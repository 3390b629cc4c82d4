"""`manage.py payout_batch 2026-11`: record the payouts the co-op owes its hosts and drivers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coop.money.amounts import Money
from coop.money.payouts import payout_batch


class Command(BaseCommand):
    help = "Record one payout batch (idempotent: the same batch id never pays anyone twice)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("batch_id", help="e.g. 2026-11")
        parser.add_argument("--minimum-cents", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        result = payout_batch(batch_id=options["batch_id"], minimum_cents=options["minimum_cents"])
        for payout in result.payouts:
            amount = Money(payout.amount_cents, payout.currency)
            self.stdout.write(f"{payout.member.display_name}: {amount}")
        self.stdout.write(
            f"Batch {result.batch_id}: {len(result.payouts)} paid, {result.skipped} skipped."
        )
