"""Reads of the lending service: permission-checked fetchers, search, calendars, lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from coop.algorithms import algorithm_register, explanation_for
from coop.exceptions import NotFound
from coop.geo.approximate import approximate_point
from coop.geo.points import Point, distance_km
from coop.geo.search import radius_search, validate_radius
from coop.members.models import User
from lending.exceptions import InvalidWindow
from lending.models import (
    HOLDING_STATUSES,
    MAX_BUFFER_HOURS,
    ConditionPhoto,
    DamageReport,
    Hold,
    HoldStatus,
    Item,
    ItemPhoto,
    Reservation,
    ReservationStatus,
)

SEARCH = algorithm_register(
    slug="lending.item_search",
    name="Library of things search",
    version="1",
    description=(
        "Items matching the text and category, lent by anyone; with a place, only items within "
        "the radius, nearest first by geodesic distance to their approximate pickup place "
        "(ties: newest first); with a time window, only items with no loan in the window and "
        "not under repair or overdue for a safety check. Nobody pays to be listed first."
    ),
)

DEFAULT_RADIUS_KM = 5.0


def item_get_for_user(user: User, pk: int) -> Item:
    """An active item (or one the user manages), with its photos; 404 otherwise."""
    item = Item.objects.select_related("owner").prefetch_related("photos").filter(pk=pk).first()
    if item is None or (not item.is_active and not item.is_managed_by(user)):
        raise NotFound("No such item.", code="item_not_found")
    return item


def reservation_get_for_user(user: User, pk: int) -> Reservation:
    """The borrower's or the item's manager's reservation; 404 for anyone else."""
    reservation = (
        Reservation.objects.select_related("item", "item__owner", "borrower", "deposit_payment")
        .filter(pk=pk)
        .first()
    )
    if reservation is None or not (
        reservation.borrower_id == user.pk
        or reservation.item.is_managed_by(user)
        # The board reviews damage reports.
        or (user.is_board and DamageReport.objects.filter(reservation=reservation).exists())
    ):
        raise NotFound("No such reservation.", code="reservation_not_found")
    return reservation


def can_see_exact_pickup(item: Item, user: User) -> bool:
    """The owner, and borrowers whose reservation is approved or ongoing."""
    if item.is_managed_by(user):
        return True
    return Reservation.objects.filter(
        item=item,
        borrower_id=user.pk,
        status__in=(ReservationStatus.APPROVED, ReservationStatus.PICKED_UP),
    ).exists()


def pickup_for(item: Item, *, exact: bool) -> Point:
    if exact:
        return item.pickup
    return approximate_point(item.pickup, key=f"lending-item:{item.pk}")


@dataclass(frozen=True, slots=True)
class SearchHit:
    item: Item
    distance_km: float | None
    explanation: dict[str, Any]


def _free_during(queryset: QuerySet[Item], start: datetime, end: datetime) -> QuerySet[Item]:
    """Items a loan of [start, end) could be booked on: no holding reservation's
    [starts_at, blocked_until) meets [start, end + the item's buffer), as reservation_request
    checks it."""
    busy = Reservation.objects.filter(
        item=OuterRef("pk"),
        status__in=HOLDING_STATUSES,
        starts_at__lt=end,
        blocked_until__gt=start,
    )
    free = queryset.filter(~Exists(busy), out_for_repair=False)
    # Loans starting just after `end` clash only with the buffer of their own item. Adding an
    # integer column of hours to a time is not portable SQL, so these few rows (at most a
    # week's buffer ahead) are compared here.
    soon = Reservation.objects.filter(
        item__in=free,
        status__in=HOLDING_STATUSES,
        starts_at__gte=end,
        starts_at__lt=end + timedelta(hours=MAX_BUFFER_HOURS),
        item__buffer_hours__gt=0,
    ).values_list("item_id", "starts_at", "item__buffer_hours")
    blocked = {
        item_id
        for item_id, starts_at, buffer_hours in soon
        if starts_at < end + timedelta(hours=buffer_hours)
    }
    return free.exclude(pk__in=blocked) if blocked else free


# The most things one search shows (members narrow by text, category or place beyond that), and
# how many more nearest rows are read so that approximate places can still reorder them.
SEARCH_LIMIT = 500
SEARCH_MARGIN = 100


def item_search(
    *,
    viewer: User,
    q: str = "",
    category: str = "",
    near: Point | None = None,
    radius_km: float | None = None,
    available_from: datetime | None = None,
    available_to: datetime | None = None,
) -> list[SearchHit]:
    items = Item.objects.filter(is_active=True).select_related("owner").prefetch_related("photos")
    if q.strip():
        for word in q.split()[:8]:
            items = items.filter(Q(title__icontains=word) | Q(description__icontains=word))
    if category:
        items = items.filter(category=category)
    window = available_from is not None or available_to is not None
    if window:
        if available_from is None or available_to is None:
            raise InvalidWindow(
                fields={"available_to": ["Give both available_from and available_to."]}
            )
        if available_to <= available_from:
            raise InvalidWindow(
                "The end is before the start.", fields={"available_to": ["After the start."]}
            )
        items = _free_during(items, available_from, available_to)
    if near is not None:
        radius = validate_radius(radius_km if radius_km is not None else DEFAULT_RADIUS_KM)
        # Distances are measured to the approximate place, so they do not reveal the exact one.
        # The box is widened by the approximation's largest offset.
        # Like the newest-first list, a search shows at most SEARCH_LIMIT things: without the
        # cap a dense city made every item in the circle an object first (3.3 s at city scale,
        # bench/RESULTS.md). Distances are ranked by exact place here and shown to the
        # approximate one (up to 0.3 km off), so a margin of extra rows is read before the cut.
        found = radius_search(
            items,
            center=near,
            radius_km=radius + 0.3,
            lat_field="pickup_lat",
            lng_field="pickup_lng",
            limit=SEARCH_LIMIT + SEARCH_MARGIN,
        )
        hits: list[SearchHit] = []
        for hit in found:
            shown = pickup_for(hit.obj, exact=hit.obj.is_managed_by(viewer))
            km = round(distance_km(near, shown), 1)
            if km > radius:
                continue
            hits.append(SearchHit(hit.obj, km, {}))
        hits.sort(key=lambda h: (h.distance_km or 0.0, -h.item.pk))
        hits = hits[:SEARCH_LIMIT]
    else:
        hits = [
            SearchHit(item, None, {})
            for item in items.order_by("-created_at", "-pk")[:SEARCH_LIMIT]
        ]
    if window:
        # Safety checks are a date rule the query cannot express cheaply.
        hits = [hit for hit in hits if not hit.item.safety_check_overdue]
    return [
        SearchHit(
            hit.item,
            hit.distance_km,
            explanation_for(
                SEARCH,
                rank=rank,
                distance_km=hit.distance_km,
                available_in_window=True if window else None,
                reservable_now=hit.item.is_reservable,
            ),
        )
        for rank, hit in enumerate(hits, start=1)
    ]


def item_calendar(item: Item, *, start: datetime, days: int = 14) -> list[Reservation]:
    """Busy periods of an item (no borrower names: the calendar is for everyone)."""
    return list(
        Reservation.objects.filter(
            item=item,
            status__in=HOLDING_STATUSES,
            blocked_until__gt=start,
            starts_at__lt=start + timedelta(days=days),
        ).order_by("starts_at")
    )


def items_managed_by(user: User) -> QuerySet[Item]:
    mine = Q(owner=user)
    if user.is_board:
        mine |= Q(is_common_store=True)
    return Item.objects.filter(mine).select_related("owner").order_by("-created_at", "-pk")


def reservations_for(user: User, *, role: str = "") -> QuerySet[Reservation]:
    """Mine, as borrower or as the owner (board members also see the common store's)."""
    as_owner = Q(item__owner=user)
    if user.is_board:
        as_owner |= Q(item__is_common_store=True)
    if role == "borrower":
        condition = Q(borrower=user)
    elif role == "owner":
        condition = as_owner
    else:
        condition = Q(borrower=user) | as_owner
    return (
        Reservation.objects.filter(condition)
        .select_related("item", "item__owner", "borrower")
        .order_by("-starts_at", "-pk")
    )


def hold_position(hold: Hold) -> int | None:
    if hold.status != HoldStatus.WAITING:
        return None
    return (
        Hold.objects.filter(item_id=hold.item_id, status=HoldStatus.WAITING)
        .filter(Q(created_at__lt=hold.created_at) | Q(created_at=hold.created_at, pk__lt=hold.pk))
        .count()
        + 1
    )


def item_photo_get(item: Item, pk: int) -> ItemPhoto:
    """One of `item`'s photos (the caller fetched `item` with its permission check)."""
    photo = ItemPhoto.objects.select_related("item", "item__owner").filter(item=item, pk=pk).first()
    if photo is None:
        raise NotFound("No such photo.", code="photo_not_found")
    return photo


def condition_photo_get_for_user(user: User, pk: int) -> ConditionPhoto:
    """Evidence of a handover, for the borrower, the item's owner (the board for the common
    store) and the board, who review damage; 404 for anyone else."""
    photo = ConditionPhoto.objects.select_related("reservation__item__owner").filter(pk=pk).first()
    if photo is None or not (
        photo.reservation.borrower_id == user.pk
        or photo.reservation.item.is_managed_by(user)
        or user.is_board
    ):
        raise NotFound("No such photo.", code="photo_not_found")
    return photo


def condition_photos_of(reservation: Reservation) -> list[ConditionPhoto]:
    return list(ConditionPhoto.objects.filter(reservation=reservation).order_by("created_at", "pk"))
