"""Recompute every balance from the movements and check that the hours sum to zero.

Exits non-zero (CommandError) on any difference, so a cron job or CI run fails loudly.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Sum

from timebank.models import Movement, TimeAccount, Transfer


class Command(BaseCommand):
    help = "Check the timebank ledger: balances equal their movements and all hours sum to zero."

    def handle(self, *args: Any, **options: Any) -> None:
        problems: list[str] = []
        sums = {
            row["account_id"]: row["total"]
            for row in Movement.objects.values("account_id").annotate(total=Sum("amount_minutes"))
        }
        cached_total = 0
        for account in TimeAccount.objects.select_related("owner").order_by("pk"):
            cached_total += account.balance_minutes
            expected = sums.get(account.pk, 0) or 0
            if account.balance_minutes != expected:
                problems.append(
                    f"{account}: cached balance {account.balance_minutes} but movements sum "
                    f"to {expected}."
                )
        movement_total = Movement.objects.aggregate(total=Sum("amount_minutes"))["total"] or 0
        if movement_total != 0:
            problems.append(f"All movements sum to {movement_total} minutes, not zero.")
        if cached_total != 0:
            problems.append(f"All cached balances sum to {cached_total} minutes, not zero.")
        unbalanced = (
            Transfer.objects.annotate(
                sides=Count("movements"), net=Sum("movements__amount_minutes")
            )
            .exclude(sides=2, net=0)
            .values_list("pk", flat=True)
        )
        problems.extend(
            f"Transfer {pk} does not have two equal and opposite movements." for pk in unbalanced
        )
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"The timebank ledger has {len(problems)} problem(s).")
        self.stdout.write(
            self.style.SUCCESS(
                f"Timebank ledger is consistent: {TimeAccount.objects.count()} accounts, "
                f"{Transfer.objects.count()} transfers, sum of all balances 0."
            )
        )
