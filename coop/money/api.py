"""`/api/v1/coop/...` (statements, the co-op's accounts) and `/api/v1/payments/...` (Stripe)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from coop.api import error_response, error_responses
from coop.exceptions import DomainError
from coop.members.models import User
from coop.money import selectors
from coop.money.amounts import Money, format_money
from coop.money.exceptions import InvalidPaymentState
from coop.money.localdev import localstripe_confirm_with_test_card
from coop.money.models import Entry, Payment, ShareRefundRequest
from coop.money.shares import share_payment_start, share_refund_approve, share_refund_request
from coop.money.stripe_gateway import stripe_js_url
from coop.money.webhooks import stripe_event_receive
from coop.pagination import PageNumberPagination
from governance.board import board_action_check

coop_router = Router(tags=["co-op money"])
payments_router = Router(tags=["payments"])


class StatementLineOut(Schema):
    id: int
    transaction_id: int
    created_at: datetime
    account: str
    account_kind: str
    description: str
    service: str
    amount_cents: int
    balance_after_cents: int
    currency: str
    amount_display: str

    @staticmethod
    def resolve_created_at(obj: Entry) -> datetime:
        return obj.transaction.created_at

    @staticmethod
    def resolve_account(obj: Entry) -> str:
        return obj.account.name

    @staticmethod
    def resolve_account_kind(obj: Entry) -> str:
        return obj.account.kind

    @staticmethod
    def resolve_description(obj: Entry) -> str:
        return obj.transaction.description

    @staticmethod
    def resolve_service(obj: Entry) -> str:
        return obj.transaction.service

    # Amounts as the member reads them: on a payable or share account, money in is positive.
    @staticmethod
    def resolve_amount_cents(obj: Entry) -> int:
        return obj.amount_cents * obj.account.normal_sign

    @staticmethod
    def resolve_balance_after_cents(obj: Any) -> int:
        return int(obj.running_cents) * obj.account.normal_sign

    @staticmethod
    def resolve_amount_display(obj: Entry) -> str:
        return format_money(Money(obj.amount_cents * obj.account.normal_sign, obj.currency))


@coop_router.get(
    "/ledger",
    response={200: list[StatementLineOut], **error_responses(401)},
    summary="My statement",
)
@paginate(PageNumberPagination)
def my_statement(request: HttpRequest) -> Any:
    """Entries on my accounts (payable balance, share capital), newest first, with the
    account's balance after each."""
    assert isinstance(request.user, User)
    return selectors.statement_entries(member=request.user)


class LedgerAccountOut(Schema):
    name: str
    kind: str
    type: str
    key: str
    balance_cents: int
    currency: str


class MonthlyIncomeOut(Schema):
    month: date
    service: str
    amount_cents: int
    currency: str


class CoopAccountsOut(Schema):
    accounts: list[LedgerAccountOut]
    monthly_income: list[MonthlyIncomeOut]
    community_fund: list[LedgerAccountOut]


def _account_out(line: selectors.AccountBalance) -> dict[str, Any]:
    return {
        "name": line.name,
        "kind": line.account.kind,
        "type": line.account.type,
        "key": line.account.key,
        "balance_cents": line.balance.cents,
        "currency": line.balance.currency,
    }


@coop_router.get(
    "/accounts", response={200: CoopAccountsOut, **error_responses(401, 403)}, summary="Board view"
)
def coop_accounts(request: HttpRequest) -> Any:
    """The co-op's accounts with balances, monthly fee income by service, the community fund."""
    board_action_check(user=request.user, request=request)
    return {
        "accounts": [_account_out(line) for line in selectors.coop_balances()],
        "monthly_income": [
            {
                "month": row.month,
                "service": row.service,
                "amount_cents": row.amount.cents,
                "currency": row.amount.currency,
            }
            for row in selectors.monthly_income()
        ],
        "community_fund": [_account_out(line) for line in selectors.community_fund_by_project()],
    }


class MoneyPaymentOut(Schema):
    id: int
    purpose: str
    status: str
    amount_cents: int
    currency: str
    client_secret: str
    publishable_key: str
    stripe_js_url: str

    @staticmethod
    def resolve_publishable_key(obj: Payment) -> str:
        return settings.STRIPE_PUBLISHABLE_KEY

    @staticmethod
    def resolve_stripe_js_url(obj: Payment) -> str:
        return stripe_js_url()


@payments_router.post(
    "/shares", response={201: MoneyPaymentOut, **error_responses(401, 409)}, summary="Pay my share"
)
def start_share_payment(request: HttpRequest) -> Any:
    """Start (or resume) my member share payment; confirm it in the browser with Stripe."""
    assert isinstance(request.user, User)
    return Status(201, share_payment_start(applicant=request.user))


class ShareRefundOut(Schema):
    id: int
    status: str


@payments_router.post(
    "/shares/refund-requests",
    response={201: ShareRefundOut, **error_responses(401, 409)},
    summary="Leave the co-op and ask for my share back",
)
def request_share_refund(request: HttpRequest) -> Any:
    assert isinstance(request.user, User)
    return Status(201, share_refund_request(member=request.user))


@payments_router.post(
    "/shares/refund-requests/{request_id}/approve",
    response={200: ShareRefundOut, **error_responses(401, 403, 404, 409)},
    summary="Board: approve a share refund",
)
def approve_share_refund(request: HttpRequest, request_id: int) -> Any:
    board_action_check(user=request.user, request=request)
    assert isinstance(request.user, User)
    refund_request = get_object_or_404(ShareRefundRequest, pk=request_id)
    return share_refund_approve(board_member=request.user, refund_request=refund_request)


class TestCardIn(Schema):
    card_number: str = "4242424242424242"


@payments_router.post(
    "/{payment_id}/localstripe-confirm",
    response={200: MoneyPaymentOut, **error_responses(401, 404, 409)},
    summary="Development only: confirm my payment with a localstripe test card",
)
def localstripe_confirm(request: HttpRequest, payment_id: int, payload: TestCardIn) -> Any:
    """Only with localstripe (STRIPE_API_BASE set): stands in for Stripe.js's card confirmation,
    which localstripe's script cannot do. With the real Stripe this answers 404."""
    if not settings.STRIPE_API_BASE:
        return error_response(request, status=404, code="not_found", message="Not found.")
    payment = get_object_or_404(Payment, pk=payment_id, payer=request.user)
    if payment.status not in {"pending", "failed"}:
        raise InvalidPaymentState("This payment is already confirmed.")
    localstripe_confirm_with_test_card(payment=payment, card_number=payload.card_number)
    payment.refresh_from_db()
    return payment


@payments_router.post(
    "/stripe/webhook",
    auth=None,
    response={200: dict[str, str], **error_responses(400, 503)},
    summary="Stripe webhook events",
)
def stripe_webhook(request: HttpRequest) -> Any:
    """Verified with `Stripe-Signature` (5 minute tolerance); each event is handled once."""
    signature = request.headers.get("Stripe-Signature", "")
    try:
        event = stripe_event_receive(payload=request.body, signature=signature)
    except DomainError:
        raise
    except Exception:
        # Stored as failed (and logged); a 5xx makes Stripe deliver it again later.
        return error_response(
            request, status=503, code="event_failed", message="Handling failed; retry later."
        )
    return {"id": event.stripe_id, "status": event.status}
