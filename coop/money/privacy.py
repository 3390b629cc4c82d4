"""Money in a member's data export. Ledger rows are never touched: leaving keeps every book
balanced, and the entries keep pointing at the (now anonymised) person."""

from __future__ import annotations

from typing import Any

from coop.members.models import User
from coop.members.privacy_registry import privacy_register
from coop.money.amounts import format_money
from coop.money.models import (
    Account,
    Payment,
    PaymentStatus,
    Payout,
    ShareRefundRequest,
    ShareRefundStatus,
)
from coop.money.selectors import member_balances, statement_entries


def export(member: User) -> dict[str, Any]:
    return {
        "accounts": [
            {
                "name": row.account.name,
                "kind": row.account.kind,
                "currency": row.balance.currency,
                "balance_cents": row.balance.cents,
            }
            for row in member_balances(member=member)
        ],
        "entries": [
            {
                "id": entry.pk,
                "account": entry.account.name,
                "amount_cents": entry.amount_cents,
                "currency": entry.account.currency,
                "description": entry.transaction.description,
                "service": entry.transaction.service,
                "created_at": entry.transaction.created_at,
            }
            for entry in statement_entries(member=member).order_by("id")
        ],
        "payments": [
            {
                "id": payment.pk,
                "purpose": payment.purpose,
                "amount_cents": payment.amount_cents,
                "currency": payment.currency,
                "status": payment.status,
                "refunded_cents": payment.refunded_cents,
                "service": payment.service,
                "created_at": payment.created_at,
            }
            for payment in Payment.objects.filter(payer=member).order_by("pk")
        ],
        "payouts": [
            {
                "amount_cents": payout.amount_cents,
                "currency": payout.currency,
                "created_at": payout.created_at,
            }
            for payout in Payout.objects.filter(member=member).order_by("pk")
        ],
        "share_refund_requests": [
            {"status": row.status, "requested_at": row.requested_at, "decided_at": row.decided_at}
            for row in ShareRefundRequest.objects.filter(member=member).order_by("pk")
        ],
    }


def obligations(member: User) -> list[str]:
    found = [
        f"Your {row.name.lower()} account holds {format_money(row.balance)}: it must be paid "
        "out, refunded or settled first."
        for row in member_balances(member=member)
        if row.balance.cents != 0
    ]
    if Payment.objects.filter(
        payer=member, status__in=[PaymentStatus.PENDING, PaymentStatus.AUTHORISED]
    ).exists():
        found.append("A payment of yours is still pending or held.")
    if ShareRefundRequest.objects.filter(
        member=member, status=ShareRefundStatus.REQUESTED
    ).exists():
        found.append("Your share refund is waiting for the board.")
    return found


def locks(member: User) -> list[Account]:
    """The member's own accounts: every posting to them locks them (`ledger_post`), so a payment
    being confirmed or a dividend being paid as they leave is either seen or waits."""
    return list(Account.objects.filter(owner=member).order_by("pk"))


def anonymise(member: User) -> None:
    """Nothing to remove: amounts and dates are the co-op's books, kept by law."""


privacy_register(
    section="money", export=export, anonymise=anonymise, obligations=obligations, locks=locks
)
