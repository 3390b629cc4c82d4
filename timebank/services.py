"""Every write of the timebank: posts, transfers, exchanges, endorsements, coordinators.

Locking: a transfer locks BOTH accounts with coop.locking.lock_for_update (stable order, short
timeout), then checks the limits against the fresh rows and writes the transfer, its two
movements and both cached balances in the same transaction. Exchanges move through guarded
transitions on the locked exchange row; confirming one pays through the same transfer writer,
and `Transfer.exchange` is unique, so an exchange can never pay twice.

Notifications go out with notification_send, which pushes over the websocket after commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from coop.exceptions import InvalidInput
from coop.geo.points import Point
from coop.locking import lock_for_update
from coop.members.models import User
from coop.members.services import member_lock_active
from coop.notifications.services import notification_send
from governance.parameters import parameter_value
from timebank.exceptions import (
    AlreadyEndorsed,
    BalanceLimit,
    InvalidMinutes,
    InvalidTransition,
    SelfTransfer,
    TimebankNotAllowed,
    UnknownMember,
)
from timebank.models import (
    AccountKind,
    Category,
    Coordinator,
    CoordinatorAction,
    Endorsement,
    Exchange,
    ExchangeStatus,
    Movement,
    Post,
    PostKind,
    TimeAccount,
    Transfer,
    TransferKind,
)

# No single exchange or transfer can be larger than this: it is more than the widest gap any
# limit allows, and it keeps absurd input (10**12) away from the integer columns.
MAX_MINUTES = 100_000
MAX_TAGS = 10


def format_minutes(minutes: int) -> str:
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    if hours and rest:
        return f"{sign}{hours} h {rest} min"
    if hours:
        return f"{sign}{hours} h"
    return f"{sign}{rest} min"


def minutes_validate(value: Any) -> int:
    """Whole minutes between 1 and MAX_MINUTES; anything else is `invalid_minutes`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidMinutes(fields={"minutes": ["A whole number of minutes."]})
    if value <= 0:
        raise InvalidMinutes(fields={"minutes": ["Must be more than zero."]})
    if value > MAX_MINUTES:
        raise InvalidMinutes(fields={"minutes": [f"At most {MAX_MINUTES} minutes."]})
    return value


def _require_member(user: User, *, action: str = "use the timebank") -> None:
    if not user.in_good_standing:
        raise TimebankNotAllowed(f"Only members in good standing can {action}.")


# --- accounts -------------------------------------------------------------------------------


def account_for(user: User) -> TimeAccount:
    """The member's time account, created on first use."""
    account, _ = TimeAccount.objects.get_or_create(
        owner=user, defaults={"kind": AccountKind.MEMBER}
    )
    return account


def community_account() -> TimeAccount:
    account, _ = TimeAccount.objects.get_or_create(kind=AccountKind.COMMUNITY, owner=None)
    return account


@dataclass(frozen=True, slots=True)
class Limits:
    min_minutes: int | None
    max_minutes: int | None


def account_limits(account: TimeAccount) -> Limits:
    """The community account may go down to its own floor and has no ceiling: members can
    always give it hours, and it pays chores until the floor the members voted is reached."""
    if account.is_community:
        return Limits(parameter_value("timebank.community_min_balance_minutes"), None)
    return Limits(
        parameter_value("timebank.min_balance_minutes"),
        parameter_value("timebank.max_balance_minutes"),
    )


@transaction.atomic
def account_update_settings(*, user: User, weekly_digest: bool) -> TimeAccount:
    account = account_for(user)
    account.weekly_digest = weekly_digest
    account.save(update_fields=["weekly_digest"])
    return account


# --- the ledger ---------------------------------------------------------------------------


def _check_limits(payer: TimeAccount, payee: TimeAccount, minutes: int) -> None:
    payer_limits, payee_limits = account_limits(payer), account_limits(payee)
    room: list[int] = []
    reasons: list[str] = []
    if payer_limits.min_minutes is not None:
        room.append(payer.balance_minutes - payer_limits.min_minutes)
        if payer.balance_minutes - minutes < payer_limits.min_minutes:
            reasons.append(
                f"the payer's balance cannot go below {format_minutes(payer_limits.min_minutes)}"
            )
    if payee_limits.max_minutes is not None:
        room.append(payee_limits.max_minutes - payee.balance_minutes)
        if payee.balance_minutes + minutes > payee_limits.max_minutes:
            reasons.append(
                f"the receiver's balance cannot go above {format_minutes(payee_limits.max_minutes)}"
            )
    if reasons:
        possible = max(0, min(room))
        raise BalanceLimit(
            f"Not possible: {' and '.join(reasons)}. At most {possible} minutes "
            f"({format_minutes(possible)}) can move now.",
            possible_minutes=possible,
        )


def transfer_write(
    *,
    payer: TimeAccount,
    payee: TimeAccount,
    minutes: int,
    kind: str,
    note: str = "",
    created_by: User | None,
    recorded_by: User | None = None,
    exchange: Exchange | None = None,
    chore: Any = None,
) -> Transfer:
    """Check the limits and write a transfer with its two movements and both balances.

    Caller holds the locks on both accounts (fresh rows from lock_for_update).
    """
    _check_limits(payer, payee, minutes)
    transfer = Transfer.objects.create(
        from_account=payer,
        to_account=payee,
        amount_minutes=minutes,
        kind=kind,
        note=note,
        created_by=created_by,
        recorded_by=recorded_by,
        exchange=exchange,
        chore=chore,
    )
    payer.balance_minutes -= minutes
    payee.balance_minutes += minutes
    Movement.objects.bulk_create(
        [
            Movement(
                account=payer,
                transfer=transfer,
                amount_minutes=-minutes,
                balance_after_minutes=payer.balance_minutes,
            ),
            Movement(
                account=payee,
                transfer=transfer,
                amount_minutes=minutes,
                balance_after_minutes=payee.balance_minutes,
            ),
        ]
    )
    payer.save(update_fields=["balance_minutes"])
    payee.save(update_fields=["balance_minutes"])
    return transfer


def _check_coordinator(recorded_by: User | None, member: User) -> None:
    if recorded_by is None or recorded_by.pk == member.pk:
        return
    if not is_coordinator(recorded_by):
        raise TimebankNotAllowed("Only the board and appointed coordinators can act for a member.")


def is_coordinator(user: User) -> bool:
    if not user.is_authenticated or not user.in_good_standing:
        return False
    return user.is_board or Coordinator.objects.filter(member=user).exists()


def _record_for(
    *,
    recorded_by: User | None,
    member: User,
    action: str,
    exchange: Exchange | None = None,
    transfer: Transfer | None = None,
    description: str,
) -> None:
    """Leave a trace of a coordinator's action and tell the member about it."""
    if recorded_by is None or recorded_by.pk == member.pk:
        return
    CoordinatorAction.objects.create(
        coordinator=recorded_by, member=member, action=action, exchange=exchange, transfer=transfer
    )
    notification_send(
        recipient=member,
        kind="timebank.recorded_for_you",
        title=f"{recorded_by} recorded something for you in the timebank",
        body=description,
        url=reverse("timebank:history"),
    )


def transfer_create(
    *,
    payer: User,
    to_member_id: Any,
    minutes: Any,
    note: str = "",
    recorded_by: User | None = None,
) -> Transfer:
    """The payer sends hours to another member (e.g. for help agreed offline)."""
    minutes = minutes_validate(minutes)
    _require_member(payer, action="send hours")
    _check_coordinator(recorded_by, payer)
    payee_user = member_get(to_member_id, field="to_member")
    if payee_user.pk == payer.pk:
        raise SelfTransfer(fields={"to_member": ["You cannot send hours to yourself."]})
    note = _clean_text(note, field="note", max_length=500)
    payer_account, payee_account = account_for(payer), account_for(payee_user)
    with transaction.atomic():
        payer_account, payee_account = lock_for_update(payer_account, payee_account)
        member_lock_active(payer, payee_user)
        transfer = transfer_write(
            payer=payer_account,
            payee=payee_account,
            minutes=minutes,
            kind=TransferKind.DIRECT,
            note=note,
            created_by=recorded_by or payer,
            recorded_by=recorded_by if recorded_by and recorded_by.pk != payer.pk else None,
        )
        notification_send(
            recipient=payee_user,
            kind="timebank.transfer_received",
            title=f"{payer} sent you {format_minutes(minutes)}",
            body=note,
            url=reverse("timebank:history"),
        )
        _record_for(
            recorded_by=recorded_by,
            member=payer,
            action="transfer",
            transfer=transfer,
            description=f"Sent {format_minutes(minutes)} to {payee_user}.",
        )
    return transfer


def community_gift(*, giver: User, minutes: Any, note: str = "") -> Transfer:
    """A member gives hours to the co-op's community account (which pays for chores)."""
    minutes = minutes_validate(minutes)
    _require_member(giver, action="give hours")
    note = _clean_text(note, field="note", max_length=500)
    giver_account, community = account_for(giver), community_account()
    with transaction.atomic():
        giver_account, community = lock_for_update(giver_account, community)
        member_lock_active(giver)
        return transfer_write(
            payer=giver_account,
            payee=community,
            minutes=minutes,
            kind=TransferKind.COMMUNITY_GIFT,
            note=note,
            created_by=giver,
        )


def member_get(member_id: Any, *, field: str = "member") -> User:
    """A member in good standing by id, or `unknown_member` (400, on the field)."""
    if isinstance(member_id, bool) or not isinstance(member_id, int) or member_id <= 0:
        raise UnknownMember(fields={field: ["Give a member's id (a positive whole number)."]})
    user = User.objects.filter(pk=member_id).first()
    if user is None or not user.in_good_standing:
        raise UnknownMember(fields={field: ["No member in good standing with that id."]})
    return user


def _clean_text(value: str, *, field: str, max_length: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(fields={field: ["This is required."]})
    if len(value) > max_length:
        raise InvalidInput(fields={field: [f"At most {max_length} characters."]})
    return value


# --- posts ------------------------------------------------------------------------------


@transaction.atomic
def post_create(
    *,
    author: User,
    kind: str,
    title: str,
    description: str = "",
    category: str,
    tags: Sequence[str] = (),
    location: Point | None = None,
) -> Post:
    _require_member(author, action="post offers and requests")
    problems: dict[str, list[str]] = {}
    if kind not in PostKind.values:
        problems["kind"] = ["Either 'offer' or 'request'."]
    if category not in Category.values:
        problems["category"] = [f"One of: {', '.join(Category.values)}."]
    clean_tags = sorted({" ".join(str(tag).split()).lower()[:30] for tag in tags} - {""})
    if len(clean_tags) > MAX_TAGS:
        problems["tags"] = [f"At most {MAX_TAGS} tags."]
    if problems:
        raise InvalidInput(fields=problems)
    member_lock_active(author)
    return Post.objects.create(
        author=author,
        kind=kind,
        title=_clean_text(title, field="title", max_length=120, required=True),
        description=_clean_text(description, field="description", max_length=4000),
        category=category,
        tags=clean_tags,
        lat=location.lat if location else None,
        lng=location.lng if location else None,
    )


@transaction.atomic
def post_close(*, user: User, post: Post) -> Post:
    if post.author_id != user.pk:
        raise TimebankNotAllowed("Only the author can close a post.")
    Post.objects.filter(pk=post.pk).update(is_active=False)
    post.is_active = False
    return post


# --- exchanges --------------------------------------------------------------------------


def _exchange_url(exchange: Exchange) -> str:
    return reverse("timebank:exchanges") + f"#exchange-{exchange.pk}"


def _notify(exchange: Exchange, recipient_id: int, kind: str, title: str, body: str = "") -> None:
    recipient = User.objects.get(pk=recipient_id)
    notification_send(
        recipient=recipient,
        kind=f"timebank.exchange_{kind}",
        title=title,
        body=body,
        url=_exchange_url(exchange),
    )


def exchange_request(
    *, requester: User, post: Post, minutes: Any, recorded_by: User | None = None
) -> Exchange:
    """Answer a post: offer help for a request, or ask for the help an offer gives."""
    minutes = minutes_validate(minutes)
    _require_member(requester, action="start exchanges")
    _check_coordinator(recorded_by, requester)
    if post.author_id == requester.pk:
        raise SelfTransfer("You cannot start an exchange on your own post.")
    if not post.is_active:
        raise InvalidTransition("This post is closed.", code="post_closed")
    if post.kind == PostKind.OFFER:
        provider_id, receiver_id = post.author_id, requester.pk
    else:
        provider_id, receiver_id = requester.pk, post.author_id
    with transaction.atomic():
        # Both sides: the post's author gets an open exchange too.
        member_lock_active(requester, post.author)
        exchange = Exchange.objects.create(
            post=post,
            provider_id=provider_id,
            receiver_id=receiver_id,
            requester=requester,
            minutes=minutes,
        )
        _notify(
            exchange,
            post.author_id,
            "requested",
            f"{requester} answered “{post.title}”",
            f"{format_minutes(minutes)} proposed.",
        )
        _record_for(
            recorded_by=recorded_by,
            member=requester,
            action="exchange_request",
            exchange=exchange,
            description=f"Started an exchange on “{post.title}” ({format_minutes(minutes)}).",
        )
    return exchange


def _locked(exchange: Exchange) -> Exchange:
    (fresh,) = lock_for_update(exchange)
    return fresh


def _transition(
    exchange: Exchange, *, allowed: Sequence[str], to: str, stamp: str | None, now: datetime
) -> None:
    if exchange.status not in allowed:
        raise InvalidTransition(
            f"This exchange is {exchange.get_status_display().lower()}; that step is not possible."
        )
    exchange.status = to
    fields = ["status"]
    if stamp:
        setattr(exchange, stamp, now)
        fields.append(stamp)
    exchange.save(update_fields=fields)


def _acting_party(exchange: Exchange, user: User, recorded_by: User | None) -> None:
    if not exchange.is_party(user.pk):
        raise TimebankNotAllowed("You are not part of this exchange.")
    _check_coordinator(recorded_by, user)


def exchange_accept(*, user: User, exchange: Exchange, recorded_by: User | None = None) -> Exchange:
    """The post's author agrees to the exchange."""
    _acting_party(exchange, user, recorded_by)
    with transaction.atomic():
        exchange = _locked(exchange)
        if user.pk == exchange.requester_id:
            raise TimebankNotAllowed("The other member accepts the exchange you proposed.")
        _transition(
            exchange,
            allowed=[ExchangeStatus.REQUESTED],
            to=ExchangeStatus.ACCEPTED,
            stamp="accepted_at",
            now=timezone.now(),
        )
        _notify(exchange, exchange.requester_id, "accepted", f"{user} accepted your exchange")
        _record_for(
            recorded_by=recorded_by,
            member=user,
            action="exchange_accept",
            exchange=exchange,
            description="Accepted an exchange for you.",
        )
    return exchange


def exchange_complete(
    *, user: User, exchange: Exchange, recorded_by: User | None = None
) -> Exchange:
    """The provider says the help has been given; the receiver then confirms."""
    _acting_party(exchange, user, recorded_by)
    with transaction.atomic():
        exchange = _locked(exchange)
        if user.pk != exchange.provider_id:
            raise TimebankNotAllowed("Only the member who gave the help marks it done.")
        _transition(
            exchange,
            allowed=[ExchangeStatus.ACCEPTED],
            to=ExchangeStatus.COMPLETED,
            stamp="completed_at",
            now=timezone.now(),
        )
        days = parameter_value("timebank.auto_confirm_days")
        _notify(
            exchange,
            exchange.receiver_id,
            "completed",
            f"{user} marked your exchange done: please confirm",
            f"Confirm or dispute it; otherwise it is confirmed automatically after {days} days.",
        )
        _record_for(
            recorded_by=recorded_by,
            member=user,
            action="exchange_complete",
            exchange=exchange,
            description="Marked an exchange done for you.",
        )
    return exchange


# Lock order everywhere: the exchange (or chore) first, then both accounts in one call. Every
# path takes them in that order, so two confirmations never wait on each other in a cycle.
def _pay_exchange(
    exchange: Exchange, *, created_by: User | None, recorded_by: User | None
) -> Transfer:
    """Caller holds the lock on the exchange."""
    receiver_account = account_for(exchange.receiver)
    provider_account = account_for(exchange.provider)
    receiver_account, provider_account = lock_for_update(receiver_account, provider_account)
    return transfer_write(
        payer=receiver_account,
        payee=provider_account,
        minutes=exchange.minutes,
        kind=TransferKind.EXCHANGE,
        note=exchange.post.title[:500],
        created_by=created_by,
        recorded_by=recorded_by,
        exchange=exchange,
    )


def exchange_confirm(
    *, user: User, exchange: Exchange, recorded_by: User | None = None
) -> Exchange:
    """The receiver confirms the help: the minutes move from receiver to provider."""
    _acting_party(exchange, user, recorded_by)
    with transaction.atomic():
        exchange = _locked(exchange)
        if user.pk != exchange.receiver_id:
            raise TimebankNotAllowed("Only the member who received the help confirms it.")
        _transition(
            exchange,
            allowed=[ExchangeStatus.COMPLETED],
            to=ExchangeStatus.CONFIRMED,
            stamp="confirmed_at",
            now=timezone.now(),
        )
        real_recorder = recorded_by if recorded_by and recorded_by.pk != user.pk else None
        transfer = _pay_exchange(
            exchange, created_by=recorded_by or user, recorded_by=real_recorder
        )
        _notify(
            exchange,
            exchange.provider_id,
            "confirmed",
            f"{user} confirmed: you received {format_minutes(exchange.minutes)}",
        )
        _record_for(
            recorded_by=recorded_by,
            member=user,
            action="exchange_confirm",
            exchange=exchange,
            transfer=transfer,
            description=f"Confirmed an exchange for you: {format_minutes(exchange.minutes)} paid.",
        )
    return exchange


def exchange_cancel(*, user: User, exchange: Exchange, recorded_by: User | None = None) -> Exchange:
    """Either party calls it off before the help is marked done."""
    _acting_party(exchange, user, recorded_by)
    with transaction.atomic():
        exchange = _locked(exchange)
        _transition(
            exchange,
            allowed=[ExchangeStatus.REQUESTED, ExchangeStatus.ACCEPTED],
            to=ExchangeStatus.CANCELLED,
            stamp="closed_at",
            now=timezone.now(),
        )
        _notify(
            exchange,
            exchange.other_party_id(user.pk),
            "cancelled",
            f"{user} cancelled the exchange on “{exchange.post.title}”",
        )
        _record_for(
            recorded_by=recorded_by,
            member=user,
            action="exchange_cancel",
            exchange=exchange,
            description="Cancelled an exchange for you.",
        )
    return exchange


def exchange_dispute(*, user: User, exchange: Exchange, reason: str) -> Exchange:
    """Either party disputes a completed exchange; the board then resolves it."""
    _acting_party(exchange, user, None)
    reason = _clean_text(reason, field="reason", max_length=2000, required=True)
    with transaction.atomic():
        exchange = _locked(exchange)
        exchange.dispute_reason = reason
        _transition(
            exchange,
            allowed=[ExchangeStatus.COMPLETED],
            to=ExchangeStatus.DISPUTED,
            stamp=None,
            now=timezone.now(),
        )
        exchange.save(update_fields=["dispute_reason"])
        _notify(
            exchange,
            exchange.other_party_id(user.pk),
            "disputed",
            f"{user} disputed the exchange; the board will look at it",
            reason,
        )
        for member in User.objects.filter(is_board=True, is_active=True):
            notification_send(
                recipient=member,
                kind="timebank.dispute_opened",
                title=f"Timebank dispute: “{exchange.post.title}”",
                body=reason,
                url=reverse("timebank:board"),
            )
    return exchange


def exchange_resolve(*, board: User, exchange: Exchange, outcome: str) -> Exchange:
    """The board settles a dispute: `confirm` pays the exchange, `cancel` closes it unpaid."""
    if not (board.is_board and board.in_good_standing):
        raise TimebankNotAllowed("Only the board resolves disputes.")
    if outcome not in {"confirm", "cancel"}:
        raise InvalidInput(fields={"outcome": ["Either 'confirm' or 'cancel'."]})
    if exchange.is_party(board.pk):
        raise TimebankNotAllowed("Another board member resolves a dispute you are part of.")
    with transaction.atomic():
        exchange = _locked(exchange)
        now = timezone.now()
        if outcome == "confirm":
            _transition(
                exchange,
                allowed=[ExchangeStatus.DISPUTED],
                to=ExchangeStatus.CONFIRMED,
                stamp="confirmed_at",
                now=now,
            )
            _pay_exchange(exchange, created_by=board, recorded_by=None)
        else:
            _transition(
                exchange,
                allowed=[ExchangeStatus.DISPUTED],
                to=ExchangeStatus.CANCELLED,
                stamp="closed_at",
                now=now,
            )
        exchange.resolved_by = board
        exchange.save(update_fields=["resolved_by"])
        verdict = "confirmed and paid" if outcome == "confirm" else "cancelled"
        for party_id in (exchange.provider_id, exchange.receiver_id):
            _notify(exchange, party_id, "resolved", f"The board {verdict} your disputed exchange")
    return exchange


def exchange_auto_confirm_due(*, now: datetime | None = None) -> int:
    """Confirm completed exchanges the receiver left alone for `timebank.auto_confirm_days`.

    One transaction per exchange, so one that hits a balance limit stays completed (and is
    retried next run) without holding back the others. Returns how many were confirmed.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=parameter_value("timebank.auto_confirm_days"))
    confirmed = 0
    due = Exchange.objects.filter(status=ExchangeStatus.COMPLETED, completed_at__lte=cutoff)
    for candidate in due.order_by("completed_at", "pk"):
        try:
            with transaction.atomic():
                exchange = _locked(candidate)
                _transition(
                    exchange,
                    allowed=[ExchangeStatus.COMPLETED],
                    to=ExchangeStatus.CONFIRMED,
                    stamp="confirmed_at",
                    now=now,
                )
                _pay_exchange(exchange, created_by=None, recorded_by=None)
                for party_id in (exchange.provider_id, exchange.receiver_id):
                    _notify(
                        exchange,
                        party_id,
                        "auto_confirmed",
                        f"Exchange on “{exchange.post.title}” confirmed automatically",
                        f"{format_minutes(exchange.minutes)} moved to the provider.",
                    )
        except (BalanceLimit, InvalidTransition):
            continue
        confirmed += 1
    return confirmed


# --- endorsements and coordinators ------------------------------------------------------------


def endorsement_create(*, author: User, exchange: Exchange, text: str) -> Endorsement:
    if not exchange.is_party(author.pk):
        raise TimebankNotAllowed("Only the two members of an exchange can endorse each other.")
    if exchange.status != ExchangeStatus.CONFIRMED:
        raise InvalidTransition("You can endorse a member once the exchange is confirmed.")
    text = _clean_text(text, field="text", max_length=500, required=True)
    try:
        with transaction.atomic():
            endorsement = Endorsement.objects.create(
                exchange=exchange,
                author=author,
                subject_id=exchange.other_party_id(author.pk),
                text=text,
            )
            notification_send(
                recipient=endorsement.subject,
                kind="timebank.endorsed",
                title=f"{author} endorsed you",
                body=text,
                url=reverse("timebank:profile", args=[endorsement.subject_id]),
            )
    except IntegrityError:
        raise AlreadyEndorsed() from None
    return endorsement


@transaction.atomic
def coordinator_appoint(*, board: User, member_id: Any) -> Coordinator:
    if not (board.is_board and board.in_good_standing):
        raise TimebankNotAllowed("Only the board appoints coordinators.")
    member = member_get(member_id)
    coordinator, created = Coordinator.objects.get_or_create(
        member=member, defaults={"appointed_by": board}
    )
    if created:
        notification_send(
            recipient=member,
            kind="timebank.coordinator_appointed",
            title="You are now a timebank coordinator",
            body="You can record exchanges and transfers for members who are not online.",
            url=reverse("timebank:index"),
        )
    return coordinator


@transaction.atomic
def coordinator_remove(*, board: User, member_id: Any) -> None:
    if not (board.is_board and board.in_good_standing):
        raise TimebankNotAllowed("Only the board removes coordinators.")
    Coordinator.objects.filter(member_id=member_id).delete()
