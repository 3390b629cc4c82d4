"""Abstract models for rows that point at photos stored by `image_store`.

An app's photo model inherits one and adds what it belongs to:

    class ListingPhoto(PublicPhoto):
        listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="photos")

        class Meta(PublicPhoto.Meta):
            pass

and creates rows with `ListingPhoto.objects.create(listing=..., alt_text=...,
**stored_fields(stored))`.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

from coop.images.services import StoredImage
from coop.images.views import image_url


def stored_fields(stored: StoredImage) -> dict[str, Any]:
    """The column values of a `StoredImageFields` row for a photo `image_store` just wrote."""
    return {
        "image_name": stored.name,
        "thumbnail_name": stored.thumbnail_name,
        "width": stored.width,
        "height": stored.height,
        "thumbnail_width": stored.thumbnail_width,
        "thumbnail_height": stored.thumbnail_height,
    }


class StoredImageFields(models.Model):
    """Where a photo and its thumbnail are stored, and their sizes (for width/height on <img>,
    so pages do not jump while photos load)."""

    image_name = models.CharField(max_length=255)
    thumbnail_name = models.CharField(max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    thumbnail_width = models.PositiveIntegerField()
    thumbnail_height = models.PositiveIntegerField()

    class Meta:
        abstract = True


class PublicPhoto(StoredImageFields):
    """A photo anyone browsing may see, in an order its owner chooses, with alternative text."""

    # What the photo shows, for people who cannot see it.
    alt_text = models.CharField(max_length=200)
    # The owner's order; the lowest is the cover shown in search results.
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(alt_text=""), name="%(app_label)s_%(class)s_has_alt_text"
            ),
        ]

    def __str__(self) -> str:
        return self.alt_text

    @property
    def url(self) -> str:
        return image_url(self.image_name)

    @property
    def thumbnail_url(self) -> str:
        return image_url(self.thumbnail_name)
