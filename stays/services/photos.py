"""Photos of a listing: uploaded by its host through coop.images (metadata and GPS stripped, so
a photo taken at home does not give the exact address away), in the host's order, each with a
text for people who cannot see it."""

from __future__ import annotations

from typing import IO

from django.db import transaction
from django.db.models import F, Max

from coop.exceptions import InvalidInput
from coop.images.services import image_delete, image_store
from coop.locking import lock_for_update
from coop.members.models import User
from stays.exceptions import StaysNotAllowed
from stays.models import Listing, ListingPhoto

MAX_PHOTOS = 20
PHOTO_FOLDER = "stays/listings"


def _host_only(host: User, listing: Listing) -> None:
    if listing.host_id != host.pk:
        raise StaysNotAllowed("Only the host can change the listing's photos.")


def listing_photo_add(
    *, host: User, listing: Listing, upload: IO[bytes], alt_text: str
) -> ListingPhoto:
    """Add a photo at the end of the listing's photos."""
    _host_only(host, listing)
    alt_text = alt_text.strip()
    if not alt_text:
        raise InvalidInput(fields={"alt_text": ["Say what the photo shows."]})
    if listing.photos.count() >= MAX_PHOTOS:
        raise InvalidInput(fields={"photo": [f"At most {MAX_PHOTOS} photos per listing."]})
    # Decoding and writing the files takes a while: before taking any lock.
    stored = image_store(upload=upload, folder=PHOTO_FOLDER, field="photo")
    try:
        with transaction.atomic():
            (listing,) = lock_for_update(listing)  # positions are handed out one at a time
            if listing.photos.count() >= MAX_PHOTOS:
                raise InvalidInput(fields={"photo": [f"At most {MAX_PHOTOS} photos per listing."]})
            last = listing.photos.aggregate(last=Max("position"))["last"]
            return ListingPhoto.objects.create(
                listing=listing,
                image_name=stored.name,
                thumbnail_name=stored.thumbnail_name,
                width=stored.width,
                height=stored.height,
                thumbnail_width=stored.thumbnail_width,
                thumbnail_height=stored.thumbnail_height,
                alt_text=alt_text[:200],
                position=0 if last is None else last + 1,
            )
    except Exception:
        # No row points at the files: remove them (after this rollback, so outside it).
        image_delete(stored.name, stored.thumbnail_name)
        raise


def listing_photo_remove(*, host: User, photo: ListingPhoto) -> None:
    _host_only(host, photo.listing)
    with transaction.atomic():
        photo.delete()
        ListingPhoto.objects.filter(
            listing_id=photo.listing_id, position__gt=photo.position
        ).update(position=F("position") - 1)
        image_delete(photo.image_name, photo.thumbnail_name)


def listing_photo_move(*, host: User, photo: ListingPhoto, position: int) -> ListingPhoto:
    """Put a photo at `position` (0 is the cover shown in search results)."""
    _host_only(host, photo.listing)
    with transaction.atomic():
        (listing,) = lock_for_update(photo.listing)
        photos = list(listing.photos.order_by("position", "pk"))
        current = next((p for p in photos if p.pk == photo.pk), None)
        if current is None:
            raise InvalidInput(fields={"photo": ["No such photo of this listing."]})
        if not 0 <= position < len(photos):
            raise InvalidInput(fields={"position": [f"From 0 to {len(photos) - 1}."]})
        photos.remove(current)
        photos.insert(position, current)
        for index, each in enumerate(photos):
            if each.position != index:
                each.position = index
                each.save(update_fields=["position"])
    current.refresh_from_db()
    return current
