"""Demo money: every demo member's share, paid in person when the board onboarded them.

Booked like a confirmed share payment (clearing / the member's share capital) with one
idempotency key per member, so running the seed again books nothing twice.
"""

from __future__ import annotations

from coop.demo.registry import DemoContext
from coop.money.ledger import Cause, coop_account, ledger_post, member_account
from coop.money.models import AccountKind, LedgerTransaction
from coop.money.shares import share_price


def seed(context: DemoContext) -> None:
    price = share_price()
    created = 0
    for member in context.members:
        key = f"demo-share-{member.pk}"
        if LedgerTransaction.objects.filter(idempotency_key=key).exists():
            continue
        ledger_post(
            entries=[
                (coop_account(AccountKind.CLEARING, currency=price.currency), price),
                (
                    member_account(member, AccountKind.SHARE_CAPITAL, currency=price.currency),
                    -price,
                ),
            ],
            cause=Cause(
                service="shares", cause_type="members.user", cause_id=str(member.pk), member=member
            ),
            description=f"Member share paid in person by {member.display_name}",
            idempotency_key=key,
        )
        created += 1
    # Not counted with context.tally: the command's grand total is about people.
    context.write(f"money: {len(context.members)} member shares ({created} booked)")
