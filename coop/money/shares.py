"""Member shares: paying one makes an applicant a member; leaving refunds it (board approves)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from coop.exceptions import NotAllowed
from coop.locking import lock_for_update
from coop.members.models import MembershipStatus, User
from coop.members.services import member_admit, member_leave
from coop.money.amounts import Money, default_currency
from coop.money.exceptions import InvalidPaymentState, ShareAlreadyPaid
from coop.money.ledger import Cause, member_account
from coop.money.models import (
    AccountKind,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    ShareRefundRequest,
    ShareRefundStatus,
)
from coop.money.payments import on_payment_confirmed, payment_refund, payment_start
from coop.notifications.services import notification_send
from governance.audit import audit_record
from governance.parameters import parameter_value

SERVICE = "shares"


def share_price() -> Money:
    return Money(parameter_value("money.share_price_cents"), default_currency())


def share_payment_of(member: User) -> Payment | None:
    """The member's confirmed, not yet refunded share payment."""
    return (
        Payment.objects.filter(
            payer=member, purpose=PaymentPurpose.SHARE, status=PaymentStatus.SUCCEEDED
        )
        .exclude(refunded_cents__gte=1)
        .order_by("-id")
        .first()
    )


def share_payment_start(*, applicant: User) -> Payment:
    """Start (or resume) the applicant's share payment; confirm it with its client secret."""
    if applicant.membership_status != MembershipStatus.APPLICANT:
        raise ShareAlreadyPaid(f"You are {applicant.get_membership_status_display().lower()}.")
    price = share_price()
    pending = (
        Payment.objects.filter(
            payer=applicant,
            purpose=PaymentPurpose.SHARE,
            # A declined attempt starts afresh: localstripe cannot retry a failed intent.
            status=PaymentStatus.PENDING,
            amount_cents=price.cents,
            currency=price.currency,
        )
        .order_by("-id")
        .first()
    )
    if pending is not None:
        return pending
    return payment_start(
        payer=applicant,
        amount=price,
        purpose=PaymentPurpose.SHARE,
        cause=Cause(
            service=SERVICE, cause_type="members.user", cause_id=str(applicant.pk), member=applicant
        ),
        splits=[(member_account(applicant, AccountKind.SHARE_CAPITAL, currency=price.currency), 1)],
    )


@on_payment_confirmed(PaymentPurpose.SHARE)
def _share_paid(payment: Payment) -> None:
    """Runs in the transaction that booked the share: the payer becomes a member."""
    payer = payment.payer
    if payer.membership_status != MembershipStatus.APPLICANT:
        return  # paid twice (two tabs): the second share is refunded by the board, not re-admitted
    member = member_admit(user=payer)
    notification_send(
        recipient=member,
        kind="money.share_paid",
        title=f"Welcome! You are member number {member.member_number}.",
        body=f"Your member share of {Money(payment.captured_cents, payment.currency)} is paid.",
        url="/money/",
    )


@transaction.atomic
def share_refund_request(*, member: User) -> ShareRefundRequest:
    """A member asks to leave and have their share refunded; the board decides."""
    if member.membership_status != MembershipStatus.MEMBER or share_payment_of(member) is None:
        raise InvalidPaymentState(
            "Only a member who paid a share through the platform can ask for it back."
        )
    if ShareRefundRequest.objects.filter(
        member=member, status=ShareRefundStatus.REQUESTED
    ).exists():
        raise InvalidPaymentState("You have already asked; the board will decide soon.")
    return ShareRefundRequest.objects.create(member=member)


def share_refund_approve(
    *, board_member: User, refund_request: ShareRefundRequest
) -> ShareRefundRequest:
    """Refund the share through Stripe, book the reversal, and mark the member as left."""
    if not (board_member.is_board and board_member.in_good_standing):
        raise NotAllowed("Only the board approves share refunds.", code="board_only")
    if refund_request.member_id == board_member.pk:
        raise NotAllowed(
            "Another board member has to approve your own share refund.", code="board_only"
        )
    with transaction.atomic():
        (refund_request,) = lock_for_update(refund_request)
        if refund_request.status != ShareRefundStatus.REQUESTED:
            raise InvalidPaymentState("This request is already decided.")
        # Claim the request before talking to Stripe so a second approval cannot refund twice.
        refund_request.status = ShareRefundStatus.APPROVED
        refund_request.approved_by = board_member
        refund_request.decided_at = timezone.now()
        refund_request.save(update_fields=["status", "approved_by", "decided_at"])
    member = refund_request.member
    payment = share_payment_of(member)
    if payment is None:
        raise InvalidPaymentState("There is no paid share left to refund.")
    try:
        refund = payment_refund(payment=payment, reason="Member left the co-op")
    except Exception:
        # Stripe refused: give the request back to the board instead of losing it.
        ShareRefundRequest.objects.filter(pk=refund_request.pk).update(
            status=ShareRefundStatus.REQUESTED, approved_by=None, decided_at=None
        )
        raise
    with transaction.atomic():
        refund_request.refund = refund
        refund_request.save(update_fields=["refund"])
        member_leave(user=member)
        audit_record(
            actor=board_member,
            action="money.share_refund_approved",
            target=f"members.user:{member.pk}",
            details={"refund": refund.stripe_id, "amount_cents": refund.amount_cents},
        )
        notification_send(
            recipient=member,
            kind="money.share_refunded",
            title="Your member share is being refunded.",
            body=f"{Money(refund.amount_cents, payment.currency)} goes back to your card.",
            url="/money/",
        )
    return refund_request
