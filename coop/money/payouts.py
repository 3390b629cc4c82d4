"""Payouts to hosts and drivers: what the co-op owes them accrues on their payable account and a
batch pays it out (recorded payable -> clearing). Paying is done outside the platform for now
(bank transfer); Stripe Connect would replace that step (see README, "Payments")."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from coop.exceptions import InvalidInput
from coop.money.amounts import Money
from coop.money.ledger import Cause, balances_by_account, coop_account, ledger_post
from coop.money.models import Account, AccountKind, Payout


@dataclass(frozen=True, slots=True)
class PayoutBatchResult:
    batch_id: str
    payouts: list[Payout]
    skipped: int


def payout_batch(*, batch_id: str, minimum_cents: int = 1) -> PayoutBatchResult:
    """Pay every member the co-op owes at least `minimum_cents`. Running a batch id again pays
    nobody twice: each (batch, member, currency) is one Payout row and one idempotent posting."""
    batch = slugify(batch_id)
    if not batch or batch != batch_id:
        raise InvalidInput(
            "A batch id is letters, digits and dashes, like 2026-11.",
            fields={"batch_id": ["Use letters, digits and dashes."]},
        )
    accounts = list(Account.objects.filter(kind=AccountKind.MEMBER_PAYABLE).select_related("owner"))
    balances = balances_by_account(accounts)
    done: list[Payout] = []
    skipped = 0
    for account in accounts:
        owner = account.owner
        assert owner is not None  # payable accounts always have one (a database constraint)
        owed = -balances[account.pk]  # a liability: credits are what we owe
        if (
            owed < minimum_cents
            or Payout.objects.filter(
                batch_id=batch, member=owner, currency=account.currency
            ).exists()
        ):
            skipped += 1
            continue
        amount = Money(owed, account.currency)
        try:
            with transaction.atomic():
                tx = ledger_post(
                    entries=[
                        (account, amount),
                        (coop_account(AccountKind.CLEARING, currency=account.currency), -amount),
                    ],
                    cause=Cause(
                        service="payouts",
                        cause_type="money.payout",
                        cause_id=batch,
                        member=owner,
                    ),
                    description=f"Payout {batch} to {owner.display_name}",
                    idempotency_key=f"payout-{batch}-{account.pk}",
                )
                done.append(
                    Payout.objects.create(
                        batch_id=batch,
                        member=owner,
                        amount_cents=owed,
                        currency=account.currency,
                        ledger_transaction=tx,
                    )
                )
        except IntegrityError:
            skipped += 1  # the same batch running twice at once: the other one paid
    return PayoutBatchResult(batch_id=batch, payouts=done, skipped=skipped)
