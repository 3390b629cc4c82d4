"""The API shape of a public photo, shared by every app that shows them."""

from __future__ import annotations

from ninja import Field, Schema

from coop.images.models import PublicPhoto


class PhotoOut(Schema):
    id: int
    url: str = Field(..., description="At most 1600 px on its long edge (WebP), this origin.")
    thumbnail_url: str = Field(..., description="At most 400 px on its long edge (WebP).")
    alt_text: str
    width: int
    height: int
    position: int


def photo_out(photo: PublicPhoto) -> PhotoOut:
    return PhotoOut(
        id=photo.pk,
        url=photo.url,
        thumbnail_url=photo.thumbnail_url,
        alt_text=photo.alt_text,
        width=photo.width,
        height=photo.height,
        position=photo.position,
    )
