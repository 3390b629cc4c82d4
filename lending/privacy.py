"""Lending in a member's data export, and what leaving does to it.

Leaving waits while a loan is open on either side (requested, approved, out, or returned with
the deposit not yet settled) or a damage claim is undecided. Reservations stay afterwards: they
are the lender's history and the ledger's causes. The member's items are withdrawn and their
pickup notes cleared; wish-list entries and waitlist places are deleted. Photos of the member's
items and the condition photos they took are deleted with their files (the loans they
documented are settled by then, so the evidence has served).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from coop.images.services import image_delete
from coop.members.models import User
from coop.members.privacy_registry import privacy_register
from lending.models import (
    ConditionPhoto,
    DamageReport,
    DamageStatus,
    Hold,
    Item,
    ItemPhoto,
    Reservation,
    ReservationStatus,
    Wanted,
)

_OPEN_LOANS = [
    ReservationStatus.REQUESTED,
    ReservationStatus.APPROVED,
    ReservationStatus.PICKED_UP,
    ReservationStatus.RETURNED,
]


def export(member: User) -> dict[str, Any]:
    return {
        "items": [
            {
                "id": item.pk,
                "title": item.title,
                "category": item.category,
                "description": item.description,
                "condition": item.condition,
                "deposit_cents": item.deposit_cents,
                "pickup": {"lat": item.pickup_lat, "lng": item.pickup_lng},
                "pickup_details": item.pickup_details,
                "is_active": item.is_active,
                "created_at": item.created_at,
                "photos": [
                    {"url": photo.url, "alt_text": photo.alt_text} for photo in item.photos.all()
                ],
            }
            for item in Item.objects.filter(owner=member).prefetch_related("photos").order_by("pk")
        ],
        "condition_photos_taken": [
            {
                "reservation": photo.reservation_id,
                "stage": photo.stage,
                "created_at": photo.created_at,
            }
            for photo in ConditionPhoto.objects.filter(taken_by=member).order_by("pk")
        ],
        "reservations": [
            {
                "id": reservation.pk,
                "item": reservation.item.title,
                "starts_at": reservation.starts_at,
                "ends_at": reservation.ends_at,
                "status": reservation.status,
                "checkout_note": reservation.checkout_note,
                "checkin_note": reservation.checkin_note,
                "late_fee_cents": reservation.late_fee_cents,
                "created_at": reservation.created_at,
            }
            for reservation in Reservation.objects.filter(borrower=member)
            .select_related("item")
            .order_by("pk")
        ],
        "waitlist": [
            {"item": hold.item.title, "status": hold.status, "created_at": hold.created_at}
            for hold in Hold.objects.filter(member=member).select_related("item").order_by("pk")
        ],
        "wanted": [
            {
                "title": wanted.title,
                "category": wanted.category,
                "location": {"lat": wanted.lat, "lng": wanted.lng},
                "is_open": wanted.is_open,
                "created_at": wanted.created_at,
            }
            for wanted in Wanted.objects.filter(member=member).order_by("pk")
        ],
    }


def obligations(member: User) -> list[str]:
    found = []
    if Reservation.objects.filter(borrower=member, status__in=_OPEN_LOANS).exists():
        found.append("You have a loan that is requested, approved, out or not yet settled.")
    if Reservation.objects.filter(item__owner=member, status__in=_OPEN_LOANS).exists():
        found.append("One of your items is reserved, lent out or waiting to be settled.")
    if DamageReport.objects.filter(
        Q(reservation__borrower=member) | Q(reservation__item__owner=member),
        status=DamageStatus.FILED,
    ).exists():
        found.append("A damage claim about one of your loans is waiting for the board.")
    return found


def anonymise(member: User) -> None:
    Item.objects.filter(owner=member).update(is_active=False, pickup_details="")
    for model, mine in (
        (ItemPhoto, Q(item__owner=member)),
        (ConditionPhoto, Q(taken_by=member)),
    ):
        photos = list(model.objects.filter(mine).values_list("image_name", "thumbnail_name"))
        model.objects.filter(mine).delete()
        image_delete(*(name for pair in photos for name in pair))
    Hold.objects.filter(member=member).delete()
    Wanted.objects.filter(member=member).delete()


def locks(member: User) -> list[Item]:
    """The member's items: a reservation locks its item, then borrower and owner
    (`reservation_request`), and `anonymise` retires the items, so deletion locks them first."""
    return list(Item.objects.filter(owner=member).order_by("pk"))


privacy_register(
    section="lending", export=export, anonymise=anonymise, obligations=obligations, locks=locks
)
