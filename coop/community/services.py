"""Writes for the community fund: propose a project, the board's decision, a member's gift,
and the board recording what a project's money was spent on."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from coop.community.exceptions import ProjectFundsTooLow, ProjectNotApproved
from coop.community.models import CommunityProject, ProjectSpend, ProjectStatus
from coop.exceptions import Conflict, InvalidInput, NotAllowed
from coop.geo.points import Point
from coop.locking import lock_for_update
from coop.members.models import User
from coop.money.amounts import Money, default_currency, format_money
from coop.money.ledger import Cause, account_balance, coop_account, ledger_post, member_account
from coop.money.models import AccountKind, Payment, PaymentPurpose
from coop.money.payments import payment_start
from coop.notifications.services import notification_send
from governance.audit import audit_record
from governance.board import board_action_check
from governance.models import Ballot, BallotStatus

SERVICE = "community"
# A BigIntegerField holds more, but no neighbourhood project asks for a billion euros.
MAX_AMOUNT_CENTS = 100_000_000_00


def project_account_key(project: CommunityProject) -> str:
    """The ledger sub-account key of a project: its slug, the scheme stays books shares with."""
    return project.slug


# Path segments the pages and the API use next to project slugs.
RESERVED_SLUGS = frozenset({"pending", "propose", "review"})


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50].strip("-") or "project"
    slug, number = base, 2
    while slug in RESERVED_SLUGS or CommunityProject.objects.filter(slug=slug).exists():
        slug = f"{base}-{number}"
        number += 1
    return slug


def project_propose(
    *,
    member: User,
    name: str,
    description: str,
    neighbourhood: str,
    amount: Money,
    place: Point | None,
) -> CommunityProject:
    """A member in good standing proposes a project; it waits for the board."""
    if not member.in_good_standing:
        raise NotAllowed("Only members in good standing can propose community projects.")
    problems: dict[str, list[str]] = {}
    if not name.strip():
        problems["name"] = ["Give the project a name."]
    if not description.strip():
        problems["description"] = ["Describe the neighbourhood need."]
    if not 0 < amount.cents <= MAX_AMOUNT_CENTS:
        problems["amount_cents"] = ["Ask for a positive amount, at most 100,000,000.00."]
    if problems:
        raise InvalidInput(fields=problems)
    with transaction.atomic():
        project = CommunityProject.objects.create(
            slug=_unique_slug(name),
            name=name.strip(),
            description=description.strip(),
            neighbourhood=neighbourhood.strip(),
            amount_cents=amount.cents,
            currency=amount.currency,
            lat=place.lat if place else None,
            lng=place.lng if place else None,
            proposed_by=member,
        )
        for board_member in User.objects.filter(is_board=True):
            notification_send(
                recipient=board_member,
                kind="community.project_proposed",
                title=f"New community project to review: {project.name}",
                url=f"/community/{project.slug}/",
            )
    return project


def _decide(
    *,
    board_member: User,
    project: CommunityProject,
    status: str,
    ballot: Ballot | None,
    note: str,
) -> CommunityProject:
    with transaction.atomic():
        changed = CommunityProject.objects.filter(
            pk=project.pk, status=ProjectStatus.PROPOSED
        ).update(
            status=status,
            decided_by=board_member,
            decided_at=timezone.now(),
            decision_ballot=ballot,
            decision_note=note,
        )
        if changed != 1:
            raise Conflict("This project has already been decided.")
        project.refresh_from_db()
        audit_record(
            actor=board_member,
            action=f"community.project_{'approve' if ballot else 'reject'}",
            target=f"community.communityproject:{project.pk}",
            details={"slug": project.slug, "ballot": ballot.pk if ballot else None, "note": note},
        )
        if project.proposed_by is not None:
            notification_send(
                recipient=project.proposed_by,
                kind=f"community.project_{status}",
                title=f"Your community project “{project.name}” was {status}",
                body=note,
                url=f"/community/{project.slug}/",
            )
    return project


def project_approve(
    *, board_member: User, request: HttpRequest | None, project: CommunityProject, ballot: Ballot
) -> CommunityProject:
    """The board records the members' approval: a closed ballot whose result passed."""
    board_action_check(user=board_member, request=request)
    result = getattr(ballot, "result", None) if ballot.status == BallotStatus.CLOSED else None
    if result is None or not (result.outcome or {}).get("passed"):
        raise InvalidInput(
            "A project is approved by a members' ballot that closed and passed.",
            fields={"ballot": ["Not a closed ballot that passed."]},
        )
    return _decide(
        board_member=board_member,
        project=project,
        status=ProjectStatus.APPROVED,
        ballot=ballot,
        note=f"Approved by ballot {ballot.pk}: {ballot.title}",
    )


def project_reject(
    *, board_member: User, request: HttpRequest | None, project: CommunityProject, reason: str
) -> CommunityProject:
    """The board's check finds the project unfit (not a neighbourhood need, unclear, ...)."""
    board_action_check(user=board_member, request=request)
    if not reason.strip():
        raise InvalidInput(fields={"reason": ["Tell the member why."]})
    return _decide(
        board_member=board_member,
        project=project,
        status=ProjectStatus.REJECTED,
        ballot=None,
        note=reason.strip(),
    )


def gift_start(*, member: User, project: CommunityProject, amount: Money) -> Payment:
    """Start a member's gift to an approved project; Stripe's confirmation books it to the
    project's sub-account (the payment's only split)."""
    if not member.in_good_standing:
        raise NotAllowed("Only members in good standing can give through the co-op.")
    if not project.approved:
        raise InvalidInput(fields={"project": ["Gifts go to approved projects only."]})
    if amount.currency != (project.currency or default_currency()):
        raise InvalidInput(fields={"amount_cents": [f"Give in {project.currency}."]})
    if not 0 < amount.cents <= MAX_AMOUNT_CENTS:
        raise InvalidInput(fields={"amount_cents": ["Give a positive amount."]})
    account = coop_account(
        AccountKind.COMMUNITY_PROJECT, key=project_account_key(project), currency=amount.currency
    )
    return payment_start(
        payer=member,
        amount=amount,
        purpose=PaymentPurpose.OTHER,
        cause=Cause.of(SERVICE, project, member=member),
        splits=[(account, 1)],
    )


def _check_spend(
    *, project: CommunityProject, amount: Money, payee: str, purpose: str, spent_on: dt.date,
    reference: str,
) -> None:  # fmt: skip
    problems: dict[str, list[str]] = {}
    if amount.currency != project.currency:
        problems["amount_cents"] = [f"This project's money is kept in {project.currency}."]
    elif not 0 < amount.cents <= MAX_AMOUNT_CENTS:
        problems["amount_cents"] = ["Spend a positive amount."]
    if not payee.strip():
        problems["payee"] = ["Say who was paid."]
    if not purpose.strip():
        problems["purpose"] = ["Say what the money paid for."]
    if not reference.strip():
        problems["reference"] = ["Give the receipt, invoice or transfer reference."]
    if spent_on > timezone.localdate():
        problems["spent_on"] = ["Record a spend once it is paid, not before."]
    if problems:
        raise InvalidInput(fields=problems)


def project_spend(
    *,
    board_member: User,
    request: HttpRequest | None,
    project: CommunityProject,
    amount: Money,
    payee: str,
    purpose: str,
    spent_on: dt.date,
    reference: str,
    payee_member: User | None = None,
) -> ProjectSpend:
    """The board records money paid out of a project's sub-account, against a receipt.

    Paid to a supplier (the treasurer's bank transfer): project -> the co-op's bank (clearing).
    Paid to a member (reimbursed costs): project -> their payable account, which the next
    payout batch pays. Refused with `project_funds_too_low` (409) beyond the project's balance.
    """
    board_action_check(user=board_member, request=request)
    return project_spend_record(
        board_member=board_member, project=project, amount=amount, payee=payee, purpose=purpose,
        spent_on=spent_on, reference=reference, payee_member=payee_member,
    )  # fmt: skip


def project_spend_record(
    *,
    board_member: User,
    project: CommunityProject,
    amount: Money,
    payee: str,
    purpose: str,
    spent_on: dt.date,
    reference: str,
    payee_member: User | None = None,
) -> ProjectSpend:
    """Book and record a spend. The caller has checked `board_member`'s right to act for the
    board (`project_spend` does, from the request; the demo seed acts for the board itself)."""
    _check_spend(
        project=project, amount=amount, payee=payee, purpose=purpose, spent_on=spent_on,
        reference=reference,
    )  # fmt: skip
    if payee_member is not None and not payee_member.is_active:
        raise InvalidInput(fields={"payee_member": ["That member has left the co-op."]})
    account = coop_account(
        AccountKind.COMMUNITY_PROJECT, key=project_account_key(project), currency=project.currency
    )
    with transaction.atomic():
        # The sub-account is a hot account (nothing locks it when money comes in), so spends
        # lock the project instead: two spends of the last euros queue here and the second one
        # sees the first one's entry when it reads the balance below.
        (project,) = lock_for_update(project)
        if not project.approved:
            raise ProjectNotApproved()
        balance = -account_balance(account)  # a liability: credits are the money it holds
        if amount > balance:
            raise ProjectFundsTooLow(
                f"{project.name} holds {format_money(balance)}; it cannot spend "
                f"{format_money(amount)}.",
                fields={"amount_cents": [f"At most {format_money(balance)}."]},
            )
        if payee_member is not None:
            destination = member_account(
                payee_member, AccountKind.MEMBER_PAYABLE, currency=project.currency
            )
        else:
            destination = coop_account(AccountKind.CLEARING, currency=project.currency)
        # Ledger rows are never changed, and this description is public on the project page:
        # it names a supplier, never a member (whose name must go if they leave the co-op).
        paid_to = "a member (reimbursed)" if payee_member is not None else payee.strip()
        tx = ledger_post(
            entries=[(account, amount), (destination, -amount)],
            cause=Cause.of(SERVICE, project, member=payee_member, created_by=board_member),
            description=f"{purpose.strip()}: paid to {paid_to} ({reference.strip()})",
        )
        spend = ProjectSpend.objects.create(
            project=project,
            amount_cents=amount.cents,
            currency=amount.currency,
            payee=payee.strip(),
            payee_member=payee_member,
            purpose=purpose.strip(),
            spent_on=spent_on,
            reference=reference.strip(),
            recorded_by=board_member,
            ledger_transaction=tx,
        )
        audit_record(
            actor=board_member,
            action="community.project_spend",
            target=f"community.projectspend:{spend.pk}",
            details={
                "project": project.slug,
                "amount_cents": amount.cents,
                "currency": amount.currency,
                "payee": spend.payee,
                "payee_member": payee_member.pk if payee_member else None,
                "purpose": spend.purpose,
                "spent_on": spent_on.isoformat(),
                "reference": spend.reference,
                "ledger_transaction": tx.pk,
            },
        )
    return spend
