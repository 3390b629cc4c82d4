"""Every write of the lending service: items, reservations and their lifecycle, holds, wanted.

Locking: a reservation that takes hours from an item's calendar (request, extension) locks the
item with `lock_for_update` and checks the calendar against fresh rows; on PostgreSQL the
exclusion constraint `lending_reservation_no_overlap` is the last line of defence.
Lifecycle changes that do not take hours use guarded updates on the reservation's status.
Stripe calls (deposits) and notifications run after commit.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import IO, Any, cast

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from coop.exceptions import InvalidInput, NotAllowed
from coop.geo.points import Point
from coop.locking import lock_for_update
from coop.members.models import User
from coop.members.services import member_lock_active
from coop.money.amounts import Money, percent_of
from coop.notifications.services import notification_send
from governance.parameters import parameter_value
from lending.exceptions import (
    InvalidTransition,
    InvalidWindow,
    LendingNotAllowed,
    NotAvailable,
    OverdueLoan,
)
from lending.models import (
    HOLDING_STATUSES,
    MAX_BUFFER_HOURS,
    Category,
    CollectivePurchase,
    Condition,
    DamageReport,
    DamageStatus,
    Hold,
    HoldStatus,
    Item,
    PhotoStage,
    Reservation,
    ReservationStatus,
    Wanted,
)
from lending.photos import condition_photo_store

logger = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
# How long ahead a member may book: a year keeps calendars meaningful.
MAX_AHEAD = timedelta(days=365)
# Check-out may happen up to this long before the loan starts (the owner is at the door early).
EARLY_PICKUP = timedelta(hours=1)
MAX_PROMPTS = 10


# --- Items ---------------------------------------------------------------------------------------


def _clean_prompts(prompts: Sequence[str], field: str) -> list[str]:
    cleaned = [" ".join(str(p).split()) for p in prompts if str(p).strip()]
    if len(cleaned) > MAX_PROMPTS or any(len(p) > 200 for p in cleaned):
        raise InvalidInput(fields={field: [f"At most {MAX_PROMPTS} prompts of 200 characters."]})
    return cleaned


def _clean_item_details(
    *,
    title: str,
    category: str,
    description: str,
    manual: str,
    condition: str,
    replacement_value_cents: int,
    deposit_cents: int,
    min_hours: int,
    max_hours: int,
    buffer_hours: int,
    auto_approve: bool,
    pickup_details: str,
    checkout_prompts: Sequence[str],
    checkin_prompts: Sequence[str],
    safety_check_every_days: int | None,
) -> dict[str, Any]:
    """The owner-editable fields of an item, checked and tidied, by field name."""
    problems: dict[str, list[str]] = {}
    title = " ".join(title.split())
    if not title or len(title) > 120:
        problems["title"] = ["Give a title of 1 to 120 characters."]
    if category not in Category.values:
        problems["category"] = ["Unknown category."]
    if condition not in Condition.values:
        problems["condition"] = ["Unknown condition."]
    if replacement_value_cents < 0:
        problems["replacement_value_cents"] = ["Cannot be negative."]
    if deposit_cents < 0:
        problems["deposit_cents"] = ["Cannot be negative."]
    if min_hours < 1:
        problems["min_hours"] = ["At least one hour."]
    if max_hours < max(min_hours, 1) or max_hours > 24 * 90:
        problems["max_hours"] = ["Between the minimum and 90 days."]
    if not 0 <= buffer_hours <= MAX_BUFFER_HOURS:
        problems["buffer_hours"] = ["Between 0 and a week."]
    if safety_check_every_days is not None and not 1 <= safety_check_every_days <= 3650:
        problems["safety_check_every_days"] = ["Between 1 and 3650 days."]
    if problems:
        raise InvalidInput(fields=problems)
    return {
        "title": title,
        "category": category,
        "description": description.strip(),
        "manual": manual.strip(),
        "condition": condition,
        "replacement_value_cents": replacement_value_cents,
        "deposit_cents": deposit_cents,
        "min_hours": min_hours,
        "max_hours": max_hours,
        "buffer_hours": buffer_hours,
        "auto_approve": auto_approve,
        "pickup_details": pickup_details.strip(),
        "checkout_prompts": _clean_prompts(checkout_prompts, "checkout_prompts"),
        "checkin_prompts": _clean_prompts(checkin_prompts, "checkin_prompts"),
        "safety_check_every_days": safety_check_every_days,
    }


def item_create(
    *,
    owner: User,
    title: str,
    pickup: Point,
    category: str = Category.OTHER,
    description: str = "",
    manual: str = "",
    condition: str = Condition.GOOD,
    replacement_value_cents: int = 0,
    deposit_cents: int = 0,
    min_hours: int = 1,
    max_hours: int = 72,
    buffer_hours: int = 0,
    auto_approve: bool = False,
    pickup_details: str = "",
    checkout_prompts: Sequence[str] = (),
    checkin_prompts: Sequence[str] = (),
    safety_check_every_days: int | None = None,
    common_store: bool = False,
) -> Item:
    """List an item. With `common_store`, `owner` is the board member adding it to the co-op's
    common store, and the item has no owner."""
    if not owner.in_good_standing:
        raise NotAllowed("Only members in good standing lend things.")
    if common_store and not owner.is_board:
        raise LendingNotAllowed("Only the board adds items to the common store.")
    details = _clean_item_details(
        title=title,
        category=category,
        description=description,
        manual=manual,
        condition=condition,
        replacement_value_cents=replacement_value_cents,
        deposit_cents=deposit_cents,
        min_hours=min_hours,
        max_hours=max_hours,
        buffer_hours=buffer_hours,
        auto_approve=auto_approve,
        pickup_details=pickup_details,
        checkout_prompts=checkout_prompts,
        checkin_prompts=checkin_prompts,
        safety_check_every_days=safety_check_every_days,
    )
    return Item.objects.create(
        owner=None if common_store else owner,
        is_common_store=common_store,
        pickup_lat=pickup.lat,
        pickup_lng=pickup.lng,
        # A new item has just been looked at by whoever lists it.
        last_safety_check_on=timezone.localdate() if safety_check_every_days else None,
        **details,
    )


# The fields item_update changes; the pickup place follows the owner's home, not this form.
ITEM_DETAILS = (
    "title",
    "category",
    "description",
    "manual",
    "condition",
    "replacement_value_cents",
    "deposit_cents",
    "min_hours",
    "max_hours",
    "buffer_hours",
    "auto_approve",
    "pickup_details",
    "checkout_prompts",
    "checkin_prompts",
    "safety_check_every_days",
)


def item_details(item: Item) -> dict[str, Any]:
    """The item's current values of ITEM_DETAILS (what an edit form starts from)."""
    return {name: getattr(item, name) for name in ITEM_DETAILS}


def item_update(*, actor: User, item: Item, **changes: Any) -> Item:
    """The owner edits an item's details (any of ITEM_DETAILS; the rest keep their values).

    Loans already booked keep their window and gap; new rules apply to new requests.
    """
    _require_manager(item, actor)
    unknown = set(changes) - set(ITEM_DETAILS)
    if unknown:
        raise InvalidInput(fields={name: ["Cannot be changed here."] for name in sorted(unknown)})
    with transaction.atomic():
        # Bookings read the buffer and loan rules under this lock: none sees a half-edit.
        (item,) = lock_for_update(item)
        details = _clean_item_details(**{**item_details(item), **changes})
        if details["safety_check_every_days"] and item.safety_check_every_days is None:
            # The owner who turns checks on has the item in hand: count from today.
            item.last_safety_check_on = timezone.localdate()
        for name, value in details.items():
            setattr(item, name, value)
        item.save(update_fields=[*ITEM_DETAILS, "last_safety_check_on"])
    return item


def _require_manager(item: Item, actor: User) -> None:
    if not item.is_managed_by(actor):
        raise LendingNotAllowed("Only the item's owner can do that.")


def item_set_repair(*, actor: User, item: Item, out_for_repair: bool) -> Item:
    """Send an item to repair (nobody can reserve it) or bring it back."""
    _require_manager(item, actor)
    item.out_for_repair = out_for_repair
    item.save(update_fields=["out_for_repair"])
    return item


def item_record_safety_check(*, actor: User, item: Item) -> Item:
    """The periodic safety check was done today: the item can be reserved again."""
    _require_manager(item, actor)
    item.last_safety_check_on = timezone.localdate()
    item.save(update_fields=["last_safety_check_on"])
    return item


# --- Windows and availability --------------------------------------------------------------------


def _validate_window(item: Item, starts_at: datetime, ends_at: datetime) -> None:
    """Hour granularity, end after start, not in the past, within the item's loan rules."""
    now = timezone.now()
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if timezone.is_naive(value):
            raise InvalidWindow(fields={name: ["Give the time with its UTC offset."]})
        if value.minute or value.second or value.microsecond:
            raise InvalidWindow(fields={name: ["Reservations start and end on the hour."]})
    if ends_at < starts_at:
        raise InvalidWindow("The end is before the start.", fields={"ends_at": ["Before start."]})
    if ends_at == starts_at:
        raise InvalidWindow("The reservation has no length.", fields={"ends_at": ["Zero length."]})
    if starts_at < now - HOUR:
        # The current hour is still bookable ("now, for 10 hours").
        raise InvalidWindow("The start is in the past.", fields={"starts_at": ["In the past."]})
    if starts_at > now + MAX_AHEAD:
        raise InvalidWindow(fields={"starts_at": ["At most a year ahead."]})
    hours = (ends_at - starts_at) // HOUR
    if hours < item.min_hours:
        raise InvalidWindow(
            f"This item is lent for at least {item.min_hours} hours.",
            fields={"ends_at": [f"At least {item.min_hours} hours."]},
        )
    if hours > item.max_hours:
        raise InvalidWindow(
            f"This item is lent for at most {item.max_hours} hours.",
            fields={"ends_at": [f"At most {item.max_hours} hours."]},
        )


def _clashes(
    item: Item, starts_at: datetime, blocked_until: datetime, exclude_pk: int | None = None
) -> bool:
    rows = Reservation.objects.filter(
        item=item,
        status__in=HOLDING_STATUSES,
        starts_at__lt=blocked_until,
        blocked_until__gt=starts_at,
    )
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    return rows.exists()


def _ceil_hour(moment: datetime) -> datetime:
    floored = moment.replace(minute=0, second=0, microsecond=0)
    return floored if floored == moment else floored + HOUR


def next_free_windows(
    item: Item, *, after: datetime, hours: int, count: int = 3
) -> list[tuple[datetime, datetime | None]]:
    """The next `count` windows from `after` in which a loan of `hours` fits with the buffer;
    the last one may be open-ended (None)."""
    need = timedelta(hours=hours + item.buffer_hours)
    candidate = _ceil_hour(max(after, timezone.now()))
    windows: list[tuple[datetime, datetime | None]] = []
    busy = Reservation.objects.filter(
        item=item, status__in=HOLDING_STATUSES, blocked_until__gt=candidate
    ).order_by("starts_at")
    for row in busy.only("starts_at", "blocked_until"):
        if row.starts_at - candidate >= need:
            # Loans end `buffer` before the next one starts.
            windows.append((candidate, row.starts_at - timedelta(hours=item.buffer_hours)))
            if len(windows) == count:
                return windows
        candidate = max(candidate, _ceil_hour(row.blocked_until))
    windows.append((candidate, None))
    return windows


def _check_no_overdue(member: User) -> None:
    if Reservation.objects.filter(
        borrower=member, status=ReservationStatus.PICKED_UP, ends_at__lt=timezone.now()
    ).exists():
        raise OverdueLoan()


def _check_reservable(item: Item) -> None:
    if not item.is_active:
        raise NotAvailable("This item is no longer lent.")
    if item.out_for_repair:
        raise NotAvailable("This item is out for repair.")
    if item.safety_check_overdue:
        raise NotAvailable("This item is waiting for its safety check.")


# --- Reservations --------------------------------------------------------------------------------


def _notify(recipient: User | None, *, kind: str, title: str, reservation: Reservation) -> None:
    if recipient is None:
        return
    notification_send(
        recipient=recipient,
        kind=f"lending.{kind}",
        title=title,
        url=f"/lending/loans/{reservation.pk}/",
    )


def _managers(item: Item) -> list[User]:
    if item.owner is not None:
        return [item.owner]
    return list(User.objects.filter(is_board=True, is_active=True))


def reservation_request(
    *, borrower: User, item: Item, starts_at: datetime, ends_at: datetime
) -> Reservation:
    """Reserve `item` for [starts_at, ends_at). Raises `NotAvailable` with the next free windows
    when it clashes (buffer included) with another loan."""
    if not borrower.in_good_standing:
        raise NotAllowed("Only members in good standing borrow things.")
    if item.owner_id == borrower.pk:
        raise InvalidInput("You cannot borrow your own item.", code="own_item")
    _validate_window(item, starts_at, ends_at)
    _check_no_overdue(borrower)
    try:
        with transaction.atomic():
            (item,) = lock_for_update(item)
            member_lock_active(borrower, item.owner)
            _check_reservable(item)
            blocked_until = ends_at + timedelta(hours=item.buffer_hours)
            if _clashes(item, starts_at, blocked_until):
                raise NotAvailable(
                    next_windows=next_free_windows(
                        item, after=starts_at, hours=(ends_at - starts_at) // HOUR
                    )
                )
            approved = item.auto_approve
            reservation = Reservation.objects.create(
                item=item,
                borrower=borrower,
                starts_at=starts_at,
                ends_at=ends_at,
                blocked_until=blocked_until,
                status=ReservationStatus.APPROVED if approved else ReservationStatus.REQUESTED,
            )
            Hold.objects.filter(item=item, member=borrower, status=HoldStatus.OFFERED).update(
                status=HoldStatus.CANCELLED
            )
            for manager in _managers(item):
                _notify(
                    manager,
                    kind="reservation_requested",
                    title=f"{borrower.display_name} wants to borrow {item.title}",
                    reservation=reservation,
                )
            if approved:
                _after_approval(reservation)
    except IntegrityError as error:
        # Only reachable on PostgreSQL if someone bypassed the lock: the exclusion constraint.
        if "lending_reservation_no_overlap" in str(error):
            raise NotAvailable() from error
        raise
    return reservation


def _after_approval(reservation: Reservation) -> None:
    _notify(
        reservation.borrower,
        kind="reservation_approved",
        title=f"Your reservation of {reservation.item.title} is approved",
        reservation=reservation,
    )
    if reservation.item.deposit_cents > 0:
        from lending import deposits  # noqa: PLC0415 - Stripe boundary, loaded when needed

        pk = reservation.pk
        transaction.on_commit(lambda: deposits.deposit_start(reservation_id=pk), robust=True)


def _transition(
    reservation: Reservation,
    *,
    allowed_from: Sequence[str],
    to: str,
    extra: Mapping[str, object] | None = None,
) -> Reservation:
    """Guarded update: move from one of `allowed_from` to `to`, or raise if someone else moved
    the reservation first."""
    values: dict[str, object] = {"status": to, "updated_at": timezone.now(), **(extra or {})}
    changed = Reservation.objects.filter(pk=reservation.pk, status__in=allowed_from).update(
        **values
    )
    if changed != 1:
        raise InvalidTransition(
            f"This reservation is {reservation.get_status_display().lower()}; it cannot become "
            f"{ReservationStatus(to).label.lower()}."
        )
    reservation.refresh_from_db()
    return reservation


@transaction.atomic
def reservation_approve(*, actor: User, reservation: Reservation) -> Reservation:
    _require_manager(reservation.item, actor)
    reservation = _transition(
        reservation, allowed_from=[ReservationStatus.REQUESTED], to=ReservationStatus.APPROVED
    )
    _after_approval(reservation)
    return reservation


@transaction.atomic
def reservation_decline(*, actor: User, reservation: Reservation) -> Reservation:
    _require_manager(reservation.item, actor)
    reservation = _transition(
        reservation, allowed_from=[ReservationStatus.REQUESTED], to=ReservationStatus.DECLINED
    )
    _notify(
        reservation.borrower,
        kind="reservation_declined",
        title=f"Your request for {reservation.item.title} was declined",
        reservation=reservation,
    )
    _offer_to_next_hold(reservation.item)
    return reservation


@transaction.atomic
def reservation_cancel(*, actor: User, reservation: Reservation) -> Reservation:
    """The borrower cancels before pickup; a deposit hold is released."""
    if reservation.borrower_id != actor.pk:
        raise LendingNotAllowed("Only the borrower cancels a reservation.")
    reservation = _transition(
        reservation,
        allowed_from=[ReservationStatus.REQUESTED, ReservationStatus.APPROVED],
        to=ReservationStatus.CANCELLED,
    )
    for manager in _managers(reservation.item):
        _notify(
            manager,
            kind="reservation_cancelled",
            title=f"{actor.display_name} cancelled the loan of {reservation.item.title}",
            reservation=reservation,
        )
    _release_deposit_on_commit(reservation)
    _offer_to_next_hold(reservation.item)
    return reservation


def _answers(prompts: Sequence[str], answers: Mapping[str, str], field: str) -> dict[str, str]:
    """Every prompt answered (the answer is what the person saw: "ok", "blade is blunt")."""
    cleaned = {str(k): " ".join(str(v).split()) for k, v in answers.items()}
    missing = [prompt for prompt in prompts if not cleaned.get(prompt)]
    if missing:
        raise InvalidInput(
            "Answer every check before the handover.",
            code="prompts_unanswered",
            fields={field: [f"Not answered: {prompt}" for prompt in missing]},
        )
    return {prompt: cleaned[prompt][:300] for prompt in prompts}


@transaction.atomic
def reservation_pickup(
    *,
    actor: User,
    reservation: Reservation,
    condition_note: str = "",
    answers: Mapping[str, str] | None = None,
    photo: IO[bytes] | None = None,
) -> Reservation:
    """Check-out at the door, recorded by the owner: the loan starts. An optional photo is
    kept as private evidence of the condition (a refused file refuses the check-out)."""
    item = reservation.item
    _require_manager(item, actor)
    now = timezone.now()
    if reservation.status == ReservationStatus.APPROVED:
        if now < reservation.starts_at - EARLY_PICKUP:
            raise InvalidTransition("The loan has not started yet.", code="too_early")
        if now >= reservation.ends_at:
            raise InvalidTransition("The reservation's time is over.", code="too_late")
        _check_no_overdue(reservation.borrower)
        if item.deposit_cents > 0 and not _deposit_held(reservation):
            raise InvalidTransition(
                "The deposit is not held on the borrower's card yet.", code="deposit_not_held"
            )
    cleaned = _answers(item.checkout_prompts, answers or {}, "answers")
    reservation = _transition(
        reservation,
        allowed_from=[ReservationStatus.APPROVED],
        to=ReservationStatus.PICKED_UP,
        extra={
            "picked_up_at": now,
            "checkout_note": condition_note.strip()[:2000],
            "checkout_answers": cleaned,
        },
    )
    if photo is not None:
        condition_photo_store(
            actor=actor, reservation=reservation, stage=PhotoStage.CHECKOUT, upload=photo
        )
    _notify(
        reservation.borrower,
        kind="reservation_picked_up",
        title=f"Enjoy {item.title}: bring it back by "
        f"{timezone.localtime(reservation.ends_at):%d %b %H:%M}",
        reservation=reservation,
    )
    return reservation


def late_fee_cents(reservation: Reservation, *, returned_at: datetime) -> int:
    """Published formula: rate x started late periods, capped at a share of the replacement
    value. Parameters: lending.late_fee_rate_cents, lending.late_fee_period_hours,
    lending.late_fee_cap_basis_points."""
    late = returned_at - reservation.ends_at
    if late <= timedelta(0):
        return 0
    period = timedelta(hours=parameter_value("lending.late_fee_period_hours"))
    periods = math.ceil(late / period)
    fee = periods * parameter_value("lending.late_fee_rate_cents")
    cap = percent_of(
        Money(reservation.item.replacement_value_cents, reservation.item.currency),
        basis_points=parameter_value("lending.late_fee_cap_basis_points"),
    ).cents
    return min(fee, cap)


@transaction.atomic
def reservation_return(
    *,
    actor: User,
    reservation: Reservation,
    condition: str,
    condition_note: str = "",
    answers: Mapping[str, str] | None = None,
    damaged: bool = False,
    photo: IO[bytes] | None = None,
) -> Reservation:
    """Check-in by the owner. A clean return releases the deposit and closes the loan; a
    damaged one stays returned until the owner's damage report is decided."""
    item = reservation.item
    _require_manager(item, actor)
    if condition not in Condition.values:
        raise InvalidInput(fields={"condition": ["Unknown condition."]})
    cleaned = _answers(item.checkin_prompts, answers or {}, "answers")
    now = timezone.now()
    reservation = _transition(
        reservation,
        allowed_from=[ReservationStatus.PICKED_UP],
        to=ReservationStatus.RETURNED if damaged else ReservationStatus.CLOSED,
        extra={
            "returned_at": now,
            "checkin_condition": condition,
            "checkin_note": condition_note.strip()[:2000],
            "checkin_answers": cleaned,
            "damaged": damaged,
            "late_fee_cents": late_fee_cents(reservation, returned_at=now),
        },
    )
    Item.objects.filter(pk=item.pk).update(condition=condition)
    if photo is not None:
        condition_photo_store(
            actor=actor, reservation=reservation, stage=PhotoStage.CHECKIN, upload=photo
        )
    if not damaged:
        _release_deposit_on_commit(reservation)
    _notify(
        reservation.borrower,
        kind="reservation_returned",
        title=f"{item.title} is checked in. Thank you!",
        reservation=reservation,
    )
    _offer_to_next_hold(item)
    return reservation


def reservation_extend(*, actor: User, reservation: Reservation, ends_at: datetime) -> Reservation:
    """Self-service extension: allowed when nothing is booked after (buffer included)."""
    if reservation.borrower_id != actor.pk:
        raise LendingNotAllowed("Only the borrower extends a loan.")
    if ends_at <= reservation.ends_at:
        raise InvalidWindow(fields={"ends_at": ["Must be after the current end."]})
    if timezone.is_naive(ends_at) or ends_at.minute or ends_at.second or ends_at.microsecond:
        raise InvalidWindow(fields={"ends_at": ["On the hour, with its UTC offset."]})
    with transaction.atomic():
        # One lock call per transaction: the item (its calendar) and the loan itself.
        item_row, reservation_row = lock_for_update(reservation.item, reservation)
        item, reservation = cast(Item, item_row), cast(Reservation, reservation_row)
        if reservation.status not in (ReservationStatus.APPROVED, ReservationStatus.PICKED_UP):
            raise InvalidTransition("Only an approved or ongoing loan can be extended.")
        if (ends_at - reservation.starts_at) // HOUR > item.max_hours:
            raise InvalidWindow(fields={"ends_at": [f"At most {item.max_hours} hours in all."]})
        blocked_until = ends_at + timedelta(hours=item.buffer_hours)
        if _clashes(item, reservation.starts_at, blocked_until, exclude_pk=reservation.pk):
            raise NotAvailable("Someone has booked the item after you.")
        reservation.ends_at, reservation.blocked_until = ends_at, blocked_until
        reservation.due_reminded_at = None
        reservation.save(
            update_fields=["ends_at", "blocked_until", "due_reminded_at", "updated_at"]
        )
        for manager in _managers(item):
            _notify(
                manager,
                kind="reservation_extended",
                title=f"The loan of {item.title} is extended",
                reservation=reservation,
            )
    return reservation


# --- Deposits and damage -------------------------------------------------------------------------


def _deposit_held(reservation: Reservation) -> bool:
    from coop.money.models import PaymentStatus  # noqa: PLC0415

    payment = reservation.deposit_payment
    return payment is not None and payment.status == PaymentStatus.AUTHORISED


def _release_deposit_on_commit(reservation: Reservation) -> None:
    if reservation.deposit_payment_id is None:
        return
    from lending import deposits  # noqa: PLC0415

    pk = reservation.pk
    transaction.on_commit(lambda: deposits.deposit_settle(reservation_id=pk), robust=True)


@transaction.atomic
def damage_report_file(
    *, actor: User, reservation: Reservation, description: str, claimed_cents: int
) -> DamageReport:
    """The owner reports damage found at check-in; the board reviews it."""
    _require_manager(reservation.item, actor)
    if reservation.status != ReservationStatus.RETURNED or not reservation.damaged:
        raise InvalidTransition("Report damage on a loan checked in as damaged.")
    if not description.strip():
        raise InvalidInput(fields={"description": ["Describe the damage."]})
    limit = reservation.item.deposit_cents or reservation.item.replacement_value_cents
    if not 1 <= claimed_cents <= max(limit, 1):
        raise InvalidInput(fields={"claimed_cents": [f"Between 1 and {limit} cents."]})
    if DamageReport.objects.filter(reservation=reservation).exists():
        raise InvalidTransition("A damage report is already filed.", code="already_reported")
    report = DamageReport.objects.create(
        reservation=reservation, description=description.strip(), claimed_cents=claimed_cents
    )
    for member in User.objects.filter(is_board=True, is_active=True):
        notification_send(
            recipient=member,
            kind="lending.damage_reported",
            title=f"Damage reported on {reservation.item.title}",
            url=f"/lending/loans/{reservation.pk}/",
        )
    _notify(
        reservation.borrower,
        kind="damage_reported",
        title=f"The owner reported damage to {reservation.item.title}; the board will review it",
        reservation=reservation,
    )
    return report


@transaction.atomic
def damage_report_decide(*, actor: User, report: DamageReport, awarded_cents: int) -> DamageReport:
    """The board upholds (part of) a claim, which the deposit pays, or rejects it (0)."""
    if not actor.is_board:
        raise LendingNotAllowed("Only the board decides damage reports.")
    if not 0 <= awarded_cents <= report.claimed_cents:
        raise InvalidInput(fields={"awarded_cents": ["Between 0 and the amount claimed."]})
    changed = DamageReport.objects.filter(pk=report.pk, status=DamageStatus.FILED).update(
        status=DamageStatus.UPHELD if awarded_cents else DamageStatus.REJECTED,
        awarded_cents=awarded_cents,
        decided_by=actor,
    )
    if changed != 1:
        raise InvalidTransition("This report is already decided.")
    report.refresh_from_db()
    reservation = _transition(
        report.reservation,
        allowed_from=[ReservationStatus.RETURNED],
        to=ReservationStatus.CLOSED,
    )
    _release_deposit_on_commit(reservation)
    _notify(
        reservation.borrower,
        kind="damage_decided",
        title=f"The board decided the damage report on {reservation.item.title}",
        reservation=reservation,
    )
    return report


# --- Holds queue ---------------------------------------------------------------------------------


def hold_join(*, member: User, item: Item) -> Hold:
    if not member.in_good_standing:
        raise NotAllowed("Only members in good standing borrow things.")
    if item.owner_id == member.pk:
        raise InvalidInput("You cannot queue for your own item.", code="own_item")
    try:
        with transaction.atomic():
            return Hold.objects.create(item=item, member=member)
    except IntegrityError as error:
        raise InvalidTransition("You are already in the queue.", code="already_queued") from error


def hold_leave(*, member: User, hold: Hold) -> Hold:
    if hold.member_id != member.pk:
        raise LendingNotAllowed("That is not your place in the queue.")
    Hold.objects.filter(pk=hold.pk).update(status=HoldStatus.CANCELLED)
    hold.refresh_from_db()
    return hold


def _offer_to_next_hold(item: Item) -> None:
    """The item freed up: offer it to the first member waiting (they still reserve a window)
    for lending.hold_offer_hours; then it passes on (holds_expire_offers)."""
    for hold in Hold.objects.filter(item=item, status=HoldStatus.WAITING).select_related("member")[
        :5
    ]:
        now = timezone.now()
        expires_at = now + timedelta(hours=parameter_value("lending.hold_offer_hours"))
        # Guarded: a member who left the queue meanwhile is skipped for the next one.
        if Hold.objects.filter(pk=hold.pk, status=HoldStatus.WAITING).update(
            status=HoldStatus.OFFERED, offered_at=now, offer_expires_at=expires_at
        ):
            notification_send(
                recipient=hold.member,
                kind="lending.hold_offered",
                title=f"{item.title} is free: reserve it by "
                f"{timezone.localtime(expires_at):%d %b %H:%M}",
                url=f"/lending/items/{item.pk}/",
            )
            return


def holds_expire_offers(*, now: datetime | None = None) -> int:
    """Offers nobody took up in time expire, and each passes to the next member waiting.

    The item may have been booked by someone else meanwhile; the next member is offered it
    anyway and sees its calendar, which is what a queue for a shared thing can promise.
    """
    now = now or timezone.now()
    expired = 0
    stale = Hold.objects.filter(status=HoldStatus.OFFERED, offer_expires_at__lte=now)
    for hold in stale.select_related("item", "member"):
        with transaction.atomic():
            if not Hold.objects.filter(pk=hold.pk, status=HoldStatus.OFFERED).update(
                status=HoldStatus.EXPIRED
            ):
                continue  # reserved or left meanwhile
            notification_send(
                recipient=hold.member,
                kind="lending.hold_offer_expired",
                title=f"Your turn for {hold.item.title} passed to the next member",
                url=f"/lending/items/{hold.item_id}/",
            )
            _offer_to_next_hold(hold.item)
            expired += 1
    return expired


# --- Periodic work -------------------------------------------------------------------------------


def reservations_expire(*, now: datetime | None = None) -> int:
    """Requests nobody answered in time (or whose start passed) expire and free the calendar."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=parameter_value("lending.request_expiry_hours"))
    expired = 0
    rows = Reservation.objects.filter(status=ReservationStatus.REQUESTED).filter(
        Q(created_at__lte=cutoff) | Q(starts_at__lte=now)
    )
    for reservation in rows.select_related("item", "borrower"):
        with transaction.atomic():
            try:
                _transition(
                    reservation,
                    allowed_from=[ReservationStatus.REQUESTED],
                    to=ReservationStatus.EXPIRED,
                )
            except InvalidTransition:
                continue  # answered meanwhile
            _notify(
                reservation.borrower,
                kind="reservation_expired",
                title=f"Your request for {reservation.item.title} expired unanswered",
                reservation=reservation,
            )
            _offer_to_next_hold(reservation.item)
            expired += 1
    return expired


def reservations_remind(*, now: datetime | None = None) -> int:
    """Remind borrowers before pickup and before the due time, once each; flag overdue loans."""
    now = now or timezone.now()
    ahead = now + timedelta(hours=parameter_value("lending.reminder_hours"))
    sent = 0
    pickups = Reservation.objects.filter(
        status=ReservationStatus.APPROVED,
        pickup_reminded_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=ahead,
    ).select_related("item", "borrower")
    for reservation in pickups:
        if Reservation.objects.filter(pk=reservation.pk, pickup_reminded_at__isnull=True).update(
            pickup_reminded_at=now
        ):
            _notify(
                reservation.borrower,
                kind="pickup_reminder",
                title=f"Pickup of {reservation.item.title} at "
                f"{timezone.localtime(reservation.starts_at):%d %b %H:%M}",
                reservation=reservation,
            )
            sent += 1
    dues = Reservation.objects.filter(
        status=ReservationStatus.PICKED_UP, due_reminded_at__isnull=True, ends_at__lte=ahead
    ).select_related("item", "borrower")
    for reservation in dues:
        if Reservation.objects.filter(pk=reservation.pk, due_reminded_at__isnull=True).update(
            due_reminded_at=now
        ):
            overdue = reservation.ends_at < now
            _notify(
                reservation.borrower,
                kind="loan_overdue" if overdue else "due_reminder",
                title=(
                    f"{reservation.item.title} is overdue: please bring it back"
                    if overdue
                    else f"Bring {reservation.item.title} back by "
                    f"{timezone.localtime(reservation.ends_at):%d %b %H:%M}"
                ),
                reservation=reservation,
            )
            sent += 1
    return sent


# --- Wanted and the collective purchase trigger --------------------------------------------------


def wanted_create(*, member: User, title: str, category: str, near: Point | None = None) -> Wanted:
    """Post what you need and cannot find; it counts towards a collective purchase."""
    if not member.in_good_standing:
        raise NotAllowed("Only members in good standing post what they need.")
    title = " ".join(title.split())
    problems: dict[str, list[str]] = {}
    if not title or len(title) > 120:
        problems["title"] = ["Give a title of 1 to 120 characters."]
    if category not in Category.values:
        problems["category"] = ["Unknown category."]
    point = near or member.home
    if point is None:
        problems["near"] = ["Give a place or set your home on your profile."]
    if problems:
        raise InvalidInput(fields=problems)
    assert point is not None
    with transaction.atomic():
        wanted = Wanted.objects.create(
            member=member, title=title, category=category, lat=point.lat, lng=point.lng
        )
    from lending.purchases import collective_purchase_check  # noqa: PLC0415

    collective_purchase_check(category=category)
    return wanted


def collective_purchase_open(
    *, category: str, center: Point, wants: Sequence[Wanted]
) -> CollectivePurchase:
    """Writer. Caller decided (by the published trigger) that `wants` call for a purchase."""
    with transaction.atomic():
        purchase = CollectivePurchase.objects.create(
            category=category,
            lat=center.lat,
            lng=center.lng,
            member_count=len({w.member_id for w in wants}),
        )
        Wanted.objects.filter(pk__in=[w.pk for w in wants]).update(purchase=purchase)
        label = Category(category).label
        for member in User.objects.filter(is_board=True, is_active=True):
            notification_send(
                recipient=member,
                kind="lending.collective_purchase",
                title=f"{purchase.member_count} members nearby want {label}: buy one for the "
                "common store?",
                url="/lending/wanted/",
            )
        for member_id in {w.member_id for w in wants}:
            notification_send(
                recipient=User.objects.get(pk=member_id),
                kind="lending.collective_purchase",
                title=f"Enough neighbours want {label}: the co-op is asked to buy one",
                url="/lending/wanted/",
            )
    return purchase
