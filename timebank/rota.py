"""Community chores and the published rota that offers them to members fairly.

The rota (`timebank-chore-rota`) ranks the members in good standing who hold no other chore and
have not declined this one, in this order:
1. least recent first: the longest time since their last chore done (never done comes first);
2. fewest minutes of chores done in the last 365 days;
3. nearest first: living within `timebank.chore_radius_km` of the chore before those outside
   it or without a home on file, then by distance;
4. member number, so ties break the same way every time.
The chore is offered to the first candidate; a decline offers it to the next. Whoever holds a
chore can hand it to another member who accepts (a swap). When the board marks it done, the
chore's minutes are paid from the community account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, Sum
from django.urls import reverse
from django.utils import timezone

from coop.algorithms import algorithm_register, explanation_for
from coop.geo.points import Point, distance_km
from coop.locking import lock_for_update
from coop.members.models import MembershipStatus, User
from coop.notifications.services import notification_send
from governance.parameters import parameter_value
from timebank import services
from timebank.exceptions import InvalidTransition, SelfTransfer, TimebankNotAllowed
from timebank.models import Chore, ChoreStatus, TransferKind

ROTA = algorithm_register(
    slug="timebank-chore-rota",
    name="Timebank chore rota",
    version="1",
    description=(
        "Offers each community chore to one member at a time. Members holding another chore "
        "or who declined this one are skipped; the rest are ranked by the longest time since "
        "their last chore, then the fewest chore minutes in the last 365 days, then those "
        "living within the chore radius, nearest first, then member number."
    ),
    parameter_keys=("timebank.chore_radius_km",),
    constants={"history_days": 365},
)
HISTORY_DAYS = 365


@dataclass(frozen=True, slots=True)
class Candidate:
    member: User
    days_since_last_chore: int | None
    chore_minutes_done: int
    distance_km: float | None
    within_radius: bool

    def sort_key(self) -> tuple[Any, ...]:
        never = self.days_since_last_chore is None
        return (
            0 if never else 1,
            -(self.days_since_last_chore or 0),
            self.chore_minutes_done,
            0 if self.within_radius else 1,
            self.distance_km if self.distance_km is not None else float("inf"),
            self.member.member_number or 0,
            self.member.pk,
        )

    def explanation(self, rank: int) -> dict[str, Any]:
        return explanation_for(
            ROTA,
            rank=rank,
            days_since_last_chore=self.days_since_last_chore,
            chore_minutes_done=self.chore_minutes_done,
            distance_km=None if self.distance_km is None else round(self.distance_km, 2),
            within_radius=self.within_radius,
        )


def rota_candidates(chore: Chore, *, now: datetime | None = None) -> list[Candidate]:
    """Every eligible member for `chore`, best first (the published order above)."""
    now = now or timezone.now()
    busy = Chore.objects.filter(
        status__in=[ChoreStatus.OFFERED, ChoreStatus.ASSIGNED], assignee__isnull=False
    ).exclude(pk=chore.pk)
    members = (
        User.objects.filter(is_active=True, membership_status=MembershipStatus.MEMBER)
        .exclude(pk__in=busy.values("assignee_id"))
        .exclude(pk__in=chore.declined_by.values("pk"))
    )
    history = {
        row["assignee_id"]: row
        for row in Chore.objects.filter(status=ChoreStatus.DONE)
        .values("assignee_id")
        .annotate(
            last=Max("done_at"),
            minutes=Sum("minutes", filter=Q(done_at__gte=now - timedelta(days=HISTORY_DAYS))),
        )
    }
    radius = parameter_value("timebank.chore_radius_km")
    place = chore.location
    candidates = []
    for member in members:
        row = history.get(member.pk)
        last = row["last"] if row else None
        home = member.home
        distance = distance_km(place, home) if place and home else None
        candidates.append(
            Candidate(
                member=member,
                days_since_last_chore=None if last is None else max(0, (now - last).days),
                chore_minutes_done=int(row["minutes"] or 0) if row else 0,
                distance_km=distance,
                within_radius=distance is not None and distance <= radius,
            )
        )
    return sorted(candidates, key=Candidate.sort_key)


def _require_board(user: User) -> None:
    if not (user.is_board and user.in_good_standing):
        raise TimebankNotAllowed("Only the board manages community chores.")


def _chores_url() -> str:
    return reverse("timebank:chores")


def _offer_next(chore: Chore) -> Chore:
    """Offer the chore to the rota's first candidate. Caller holds the lock on the chore."""
    candidates = rota_candidates(chore)
    if not candidates:
        chore.status, chore.assignee = ChoreStatus.OPEN, None
    else:
        chore.status, chore.assignee = ChoreStatus.OFFERED, candidates[0].member
        notification_send(
            recipient=candidates[0].member,
            kind="timebank.chore_offered",
            title=f"A community chore for you: {chore.title}",
            body=f"{services.format_minutes(chore.minutes)}, paid from the community account.",
            url=_chores_url(),
        )
    chore.swap_to = None
    chore.save(update_fields=["status", "assignee", "swap_to"])
    return chore


def chore_create(
    *,
    board: User,
    title: str,
    minutes: Any,
    description: str = "",
    location: Point | None = None,
    due_on: date | None = None,
) -> Chore:
    _require_board(board)
    minutes = services.minutes_validate(minutes)
    title = services._clean_text(title, field="title", max_length=120, required=True)
    description = services._clean_text(description, field="description", max_length=2000)
    with transaction.atomic():
        chore = Chore.objects.create(
            title=title,
            description=description,
            minutes=minutes,
            lat=location.lat if location else None,
            lng=location.lng if location else None,
            due_on=due_on,
            created_by=board,
        )
        return _offer_next(chore)


def _locked(chore: Chore) -> Chore:
    (fresh,) = lock_for_update(chore)
    return fresh


def _require_holder(chore: Chore, user: User) -> None:
    # Someone else's chore: a refusal (403), not a conflict with its state (409).
    if chore.assignee_id != user.pk:
        raise TimebankNotAllowed("This chore is not offered to you.")


@transaction.atomic
def chore_accept(*, user: User, chore: Chore) -> Chore:
    chore = _locked(chore)
    _require_holder(chore, user)
    if chore.status != ChoreStatus.OFFERED:
        raise InvalidTransition("This chore is not waiting for an answer.")
    chore.status = ChoreStatus.ASSIGNED
    chore.save(update_fields=["status"])
    return chore


@transaction.atomic
def chore_decline(*, user: User, chore: Chore) -> Chore:
    chore = _locked(chore)
    _require_holder(chore, user)
    if chore.status != ChoreStatus.OFFERED:
        raise InvalidTransition("This chore is not waiting for an answer.")
    chore.declined_by.add(user)
    return _offer_next(chore)


@transaction.atomic
def chore_swap_request(*, user: User, chore: Chore, to_member_id: Any) -> Chore:
    """The member holding a chore asks another member to take it over."""
    chore = _locked(chore)
    _require_holder(chore, user)
    if chore.status not in {ChoreStatus.OFFERED, ChoreStatus.ASSIGNED}:
        raise InvalidTransition("This chore can no longer be swapped.")
    other = services.member_get(to_member_id, field="to_member")
    if other.pk == user.pk:
        raise SelfTransfer(fields={"to_member": ["Choose another member."]})
    chore.swap_to = other
    chore.save(update_fields=["swap_to"])
    notification_send(
        recipient=other,
        kind="timebank.chore_swap_requested",
        title=f"{user} asks you to take over a chore: {chore.title}",
        url=_chores_url(),
    )
    return chore


@transaction.atomic
def chore_swap_accept(*, user: User, chore: Chore) -> Chore:
    chore = _locked(chore)
    if chore.swap_to_id != user.pk:
        # Someone else's chore: a refusal (403), not a conflict with its state.
        raise TimebankNotAllowed("No swap of this chore is waiting for you.")
    if chore.status not in {ChoreStatus.OFFERED, ChoreStatus.ASSIGNED}:
        raise InvalidTransition("This chore can no longer be swapped.")
    previous = chore.assignee
    chore.assignee, chore.swap_to, chore.status = user, None, ChoreStatus.ASSIGNED
    chore.save(update_fields=["assignee", "swap_to", "status"])
    if previous is not None:
        notification_send(
            recipient=previous,
            kind="timebank.chore_swapped",
            title=f"{user} took over your chore: {chore.title}",
            url=_chores_url(),
        )
    return chore


@transaction.atomic
def chore_done(*, board: User, chore: Chore) -> Chore:
    """The board confirms the chore was done: its minutes move from the community account."""
    _require_board(board)
    chore = _locked(chore)
    if chore.status != ChoreStatus.ASSIGNED or chore.assignee is None:
        raise InvalidTransition("Only an assigned chore can be marked done.")
    community, worker = lock_for_update(
        services.community_account(), services.account_for(chore.assignee)
    )
    services.transfer_write(
        payer=community,
        payee=worker,
        minutes=chore.minutes,
        kind=TransferKind.CHORE,
        note=chore.title,
        created_by=board,
        chore=chore,
    )
    chore.status, chore.done_at = ChoreStatus.DONE, timezone.now()
    chore.save(update_fields=["status", "done_at"])
    notification_send(
        recipient=chore.assignee,
        kind="timebank.chore_paid",
        title=f"Thank you: {services.format_minutes(chore.minutes)} for “{chore.title}”",
        url=reverse("timebank:history"),
    )
    return chore
