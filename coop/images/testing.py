"""Photo uploads for tests in any app: real encoded images, built in memory."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# EXIF tag numbers (TIFF/EXIF 2.3): where a phone records how it was held and where it was.
ORIENTATION = 0x0112
GPS_IFD = 0x8825
GPS_LATITUDE_REF = 1
GPS_LATITUDE = 2


def photo_bytes(
    *,
    size: tuple[int, int] = (64, 48),
    image_format: str = "JPEG",
    orientation: int | None = None,
    gps: bool = False,
    color: tuple[int, int, int] = (200, 40, 40),
) -> bytes:
    """An encoded photo; optionally with an EXIF orientation and a GPS position (Barcelona)."""
    image = Image.new("RGB", size, color)
    # A dark left column, so tests can tell which way the stored photo was turned.
    image.paste((0, 0, 0), (0, 0, max(1, size[0] // 8), size[1]))
    exif = Image.Exif()
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if gps:
        exif.get_ifd(GPS_IFD).update({GPS_LATITUDE_REF: "N", GPS_LATITUDE: (41.0, 23.0, 2.0)})
    buffer = io.BytesIO()
    kwargs = {"exif": exif.tobytes()} if len(exif) or gps else {}
    image.save(buffer, format=image_format, **kwargs)
    return buffer.getvalue()


def photo_upload(
    name: str = "photo.jpg", *, image_format: str = "JPEG", **kwargs: Any
) -> SimpleUploadedFile:
    """`photo_bytes(...)` as the file a browser would post."""
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[image_format]
    data = photo_bytes(image_format=image_format, **kwargs)
    return SimpleUploadedFile(name, data, content_type=content_type)
