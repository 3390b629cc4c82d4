"""Writes for lending's photos: item pictures (public) and condition evidence (private).

Files go through coop.images (real images only, upright, no EXIF/GPS, resized). A photo is
decoded and checked before anything is written, so a refused file changes nothing; files of a
removed photo are deleted after the transaction commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import IO

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from coop.exceptions import InvalidInput
from coop.images.models import stored_fields
from coop.images.services import image_delete, image_store
from coop.locking import lock_for_update
from coop.members.models import User
from lending.exceptions import InvalidTransition, LendingNotAllowed
from lending.models import (
    ConditionPhoto,
    Item,
    ItemPhoto,
    PhotoStage,
    Reservation,
    ReservationStatus,
)

MAX_ITEM_PHOTOS = 8
MAX_CONDITION_PHOTOS = 6
# Check-in evidence can still be added this long after the loan closed (the photo taken at
# the door is often uploaded once home, on wifi).
CHECKIN_PHOTO_GRACE = timedelta(hours=24)
ITEM_FOLDER = "lending/items"
CONDITION_FOLDER = "lending/condition"


def _require_manager(item: Item, actor: User) -> None:
    if not item.is_managed_by(actor):
        raise LendingNotAllowed("Only the item's owner can change its photos.")


def _clean_alt_text(alt_text: str) -> str:
    cleaned = " ".join(alt_text.split())
    if not cleaned or len(cleaned) > 200:
        raise InvalidInput(
            fields={"alt_text": ["Say in up to 200 characters what the photo shows."]}
        )
    return cleaned


def item_photo_add(*, actor: User, item: Item, upload: IO[bytes], alt_text: str) -> ItemPhoto:
    """Add a photo after the item's others; at most MAX_ITEM_PHOTOS per item."""
    _require_manager(item, actor)
    alt_text = _clean_alt_text(alt_text)
    with transaction.atomic():
        # The lock makes "count, then add" safe when two uploads for one item race.
        (item,) = lock_for_update(item)
        if ItemPhoto.objects.filter(item=item).count() >= MAX_ITEM_PHOTOS:
            raise InvalidInput(
                f"An item has at most {MAX_ITEM_PHOTOS} photos: remove one first.",
                code="too_many_photos",
                fields={"photo": [f"At most {MAX_ITEM_PHOTOS} photos."]},
            )
        stored = image_store(upload=upload, folder=ITEM_FOLDER, field="photo")
        last = ItemPhoto.objects.filter(item=item).aggregate(last=Max("position"))["last"]
        return ItemPhoto.objects.create(
            item=item,
            alt_text=alt_text,
            position=0 if last is None else last + 1,
            **stored_fields(stored),
        )


@transaction.atomic
def item_photo_remove(*, actor: User, photo: ItemPhoto) -> None:
    _require_manager(photo.item, actor)
    ItemPhoto.objects.filter(pk=photo.pk).delete()
    image_delete(photo.image_name, photo.thumbnail_name)


@transaction.atomic
def item_photos_reorder(*, actor: User, item: Item, photo_ids: Sequence[int]) -> list[ItemPhoto]:
    """Put the item's photos in the order of `photo_ids` (every photo, each once); the first
    one is the item's cover in search results."""
    _require_manager(item, actor)
    (item,) = lock_for_update(item)
    photos = {photo.pk: photo for photo in ItemPhoto.objects.filter(item=item)}
    if sorted(photo_ids) != sorted(photos):
        raise InvalidInput(fields={"photo_ids": ["List each of the item's photos once."]})
    for position, pk in enumerate(photo_ids):
        photos[pk].position = position
    ItemPhoto.objects.bulk_update(photos.values(), ["position"])
    return [photos[pk] for pk in photo_ids]


def condition_stage_open(reservation: Reservation, stage: str) -> bool:
    status = reservation.status
    if stage == PhotoStage.CHECKOUT:
        return status in (ReservationStatus.APPROVED, ReservationStatus.PICKED_UP)
    if status in (ReservationStatus.PICKED_UP, ReservationStatus.RETURNED):
        return True
    return (
        status == ReservationStatus.CLOSED
        and reservation.returned_at is not None
        and timezone.now() - reservation.returned_at <= CHECKIN_PHOTO_GRACE
    )


def condition_photo_store(
    *, actor: User, reservation: Reservation, stage: str, upload: IO[bytes]
) -> ConditionPhoto:
    """Writer. Caller checked that `actor` is on the loan and the stage is open; runs inside
    the caller's transaction (a check-out that fails leaves no photo)."""
    if ConditionPhoto.objects.filter(reservation=reservation, stage=stage).count() >= (
        MAX_CONDITION_PHOTOS
    ):
        raise InvalidInput(
            code="too_many_photos",
            fields={"photo": [f"At most {MAX_CONDITION_PHOTOS} photos per handover."]},
        )
    stored = image_store(upload=upload, folder=CONDITION_FOLDER, private=True, field="photo")
    return ConditionPhoto.objects.create(
        reservation=reservation, stage=stage, taken_by=actor, **stored_fields(stored)
    )


@transaction.atomic
def condition_photo_add(
    *, actor: User, reservation: Reservation, stage: str, upload: IO[bytes]
) -> ConditionPhoto:
    """The borrower or the item's owner adds evidence of the condition at a handover:
    check-out photos until the loan ends, check-in photos from the loan's start until a day
    after it closed."""
    if stage not in PhotoStage.values:
        raise InvalidInput(fields={"stage": ["Either checkout or checkin."]})
    if reservation.borrower_id != actor.pk and not reservation.item.is_managed_by(actor):
        raise LendingNotAllowed("Only the borrower and the owner add condition photos.")
    reservation = Reservation.objects.select_related("item").get(pk=reservation.pk)
    if not condition_stage_open(reservation, stage):
        raise InvalidTransition(
            f"Photos {PhotoStage(stage).label.lower()} cannot be added to this loan now.",
            code="photo_stage_closed",
        )
    return condition_photo_store(actor=actor, reservation=reservation, stage=stage, upload=upload)
