"""Storing uploaded photos safely; see the package docstring for how apps use it."""

from __future__ import annotations

import io
import secrets
import warnings
import weakref
from dataclasses import dataclass
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageOps

from coop.images.exceptions import BadImage

ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
MAX_BYTES = 15 * 1024 * 1024
# A 50-megapixel phone photo is the largest real photo we expect. A hostile PNG of a few
# kilobytes can claim far more pixels and would eat gigabytes once decoded: refuse it from the
# header, before decoding anything.
MAX_PIXELS = 50_000_000
MAX_EDGE = 1600
THUMBNAIL_EDGE = 400
WEBP_QUALITY = 82
OUTPUT_EXTENSION = "webp"
CONTENT_TYPE = "image/webp"


@dataclass(frozen=True)
class StoredImage:
    """Where a stored photo and its thumbnail live in the default storage, and their sizes."""

    name: str
    thumbnail_name: str
    width: int
    height: int
    thumbnail_width: int
    thumbnail_height: int


def _refuse(field: str, message: str) -> BadImage:
    return BadImage(message, fields={field: [message]})


def image_decode(*, upload: IO[bytes], field: str = "image") -> Image.Image:
    """The upload's pixels, upright, as a fresh image that carries no metadata at all.

    Raises BadImage for anything that is not a complete JPEG, PNG or WebP within the limits.
    """
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise _refuse(field, f"The photo is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse(field, f"The photo is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    if not data:
        raise _refuse(field, "The file is empty.")
    too_many_pixels = f"The photo has more than {MAX_PIXELS // 1_000_000} megapixels."
    # Pillow warns (and past twice its limit raises) on huge images; our own limit is lower,
    # and any other warning while decoding means a damaged file: treat them all as refusals.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ALLOWED_FORMATS:
                    raise _refuse(field, "Upload a JPEG, PNG or WebP photo.")
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise _refuse(field, too_many_pixels)
                # verify() checks the file's structure and checksums; it leaves the image
                # unusable, so the pixels are read from a second, fresh open.
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
        except BadImage:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            # Pillow's own guard, which fires on open for claims far above our limit.
            raise _refuse(field, too_many_pixels) from error
        except Exception as error:
            # Decoders fed hostile bytes fail in many ways (OSError for truncation, but also
            # SyntaxError, struct.error, IndexError...): every one is a refusal, never a 500.
            raise _refuse(field, "The file is not a photo we can read.") from error
    # Only the pixels travel on: copying into a new image drops EXIF (GPS), XMP, ICC and
    # comments, whatever the source format called them.
    has_alpha = upright.mode in {"RGBA", "LA", "PA"} or (
        upright.mode == "P" and "transparency" in upright.info
    )
    mode = "RGBA" if has_alpha else "RGB"
    converted = upright.convert(mode)
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean


def _encode(image: Image.Image, edge: int) -> tuple[bytes, int, int]:
    copy = image.copy()
    copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    # No exif/icc_profile arguments: the file carries pixels only.
    copy.save(buffer, format="WEBP", quality=WEBP_QUALITY, method=4)
    return buffer.getvalue(), copy.width, copy.height


def image_store(
    *, upload: IO[bytes], folder: str, private: bool = False, field: str = "image"
) -> StoredImage:
    """Check, clean, scale and store an uploaded photo and its thumbnail.

    `folder` groups an app's photos (`lending/items`); `private` photos are never served by the
    public media view. Errors name `field`, the form or API field the file came in.
    """
    image = image_decode(upload=upload, field=field)
    full, width, height = _encode(image, MAX_EDGE)
    thumb, thumb_width, thumb_height = _encode(image, THUMBNAIL_EDGE)
    # Random names: nobody can guess another member's photo, and a name is never reused, so
    # a cached copy is never stale.
    stem = f"{'private' if private else 'public'}/{folder.strip('/')}/{secrets.token_urlsafe(18)}"
    name = default_storage.save(f"{stem}.{OUTPUT_EXTENSION}", ContentFile(full))
    thumbnail_name = default_storage.save(f"{stem}-thumb.{OUTPUT_EXTENSION}", ContentFile(thumb))
    _delete_unless_committed(name, thumbnail_name)
    return StoredImage(
        name=name,
        thumbnail_name=thumbnail_name,
        width=width,
        height=height,
        thumbnail_width=thumb_width,
        thumbnail_height=thumb_height,
    )


def image_delete(*names: str) -> None:
    """Delete stored photos once the surrounding transaction commits.

    After commit, because a rolled-back removal must not leave rows pointing at missing files.
    """

    def delete() -> None:
        for name in names:
            if name:
                default_storage.delete(name)

    transaction.on_commit(delete)


class _UncommittedFiles:
    """Files written inside a transaction that no committed row may point at yet."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self._cleanup = weakref.finalize(self, _files_delete, names)

    def committed(self) -> None:
        self._cleanup.detach()


def _files_delete(names: tuple[str, ...]) -> None:
    for name in names:
        default_storage.delete(name)


def _delete_unless_committed(*names: str) -> None:
    """Delete files written now if the surrounding transaction (or savepoint) rolls back.

    Django has no rollback hook, but a rollback discards the on_commit callbacks registered
    inside it: the only reference to the marker goes with them, and its finalizer (run at once
    by CPython's reference counting) deletes the files. A commit runs the callback, which keeps
    them. Outside a transaction the files are kept at once. This covers every caller, however
    deep the service that stores the photo sits in someone else's transaction.
    """
    if transaction.get_connection().in_atomic_block:  # else nothing is left to commit
        transaction.on_commit(_UncommittedFiles(names).committed)
