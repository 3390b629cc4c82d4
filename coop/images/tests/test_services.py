from __future__ import annotations

import gc
import io
import struct
import zlib
from typing import Any, cast

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from coop.images import services
from coop.images.exceptions import BadImage
from coop.images.services import image_delete, image_store
from coop.images.testing import GPS_IFD, photo_upload


def _open(name: str) -> Image.Image:
    with default_storage.open(name, "rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        image.load()
    return image


def _red(image: Image.Image, at: tuple[int, int]) -> int:
    pixel = cast(tuple[int, ...], image.convert("RGB").getpixel(at))
    return pixel[0]


def _huge_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels of one colour."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    rows = zlib.compress(b"\x00" * (1 + (width + 7) // 8) * 16)  # a few rows of data only
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def test_a_phone_photo_is_stored_upright_resized_and_without_exif_or_gps() -> None:
    # Orientation 6: the camera was held upright, the sensor stored it turned on its side.
    upload = photo_upload(size=(2400, 1800), orientation=6, gps=True)

    stored = image_store(upload=upload, folder="tests/photos")

    image = _open(stored.name)
    assert image.format == "WEBP"
    assert (image.width, image.height) == (1200, 1600)  # turned upright, long edge 1600
    assert (stored.width, stored.height) == (1200, 1600)
    exif = image.getexif()
    assert len(exif) == 0
    assert exif.get_ifd(GPS_IFD) == {}
    assert "exif" not in image.info
    assert "icc_profile" not in image.info
    assert "xmp" not in image.info
    # The dark column that was on the left of the sensor's picture is now along the top.
    assert _red(image, (600, 10)) < 60
    assert _red(image, (600, 1590)) > 120
    thumbnail = _open(stored.thumbnail_name)
    assert max(thumbnail.size) == 400
    assert (stored.thumbnail_width, stored.thumbnail_height) == thumbnail.size
    assert len(thumbnail.getexif()) == 0


def test_a_small_photo_is_not_enlarged() -> None:
    stored = image_store(upload=photo_upload(size=(300, 200)), folder="tests/photos")

    assert (stored.width, stored.height) == (300, 200)
    assert (stored.thumbnail_width, stored.thumbnail_height) == (300, 200)


def test_a_png_with_transparency_is_accepted() -> None:
    buffer = io.BytesIO()
    Image.new("RGBA", (500, 100), (0, 128, 0, 100)).save(buffer, format="PNG")
    upload = SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")

    stored = image_store(upload=upload, folder="tests/photos")

    image = _open(stored.name)
    assert image.size == (500, 100)
    assert image.mode == "RGBA"
    assert stored.name.startswith("public/tests/photos/")


def test_webp_is_accepted() -> None:
    stored = image_store(upload=photo_upload("p.webp", image_format="WEBP"), folder="tests")

    assert _open(stored.name).size == (64, 48)


def test_a_text_file_named_like_a_photo_is_refused() -> None:
    upload = SimpleUploadedFile("holiday.jpg", b"just some text\n" * 20, content_type="image/jpeg")

    with pytest.raises(BadImage) as refused:
        image_store(upload=upload, folder="tests", field="photo")

    assert refused.value.code == "bad_image"
    assert refused.value.status == 400
    assert list(refused.value.fields) == ["photo"]


def test_a_gif_is_refused() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="GIF")
    upload = SimpleUploadedFile("a.gif", buffer.getvalue(), content_type="image/gif")

    with pytest.raises(BadImage, match="JPEG, PNG or WebP"):
        image_store(upload=upload, folder="tests")


def test_a_truncated_jpeg_is_refused() -> None:
    data = photo_upload(size=(400, 300)).read()
    upload = SimpleUploadedFile("cut.jpg", data[: len(data) // 2], content_type="image/jpeg")

    with pytest.raises(BadImage):
        image_store(upload=upload, folder="tests")


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    data = _huge_png(30_000, 30_000)  # 900 megapixels in a few hundred bytes
    assert len(data) < 2_000
    upload = SimpleUploadedFile("bomb.png", data, content_type="image/png")

    with pytest.raises(BadImage, match="megapixels"):
        image_store(upload=upload, folder="tests")


def test_a_photo_over_our_pixel_limit_but_under_pillows_is_refused() -> None:
    upload = SimpleUploadedFile("big.png", _huge_png(8_000, 8_000), content_type="image/png")

    with pytest.raises(BadImage, match="megapixels"):
        image_store(upload=upload, folder="tests")


def test_a_file_over_the_byte_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "MAX_BYTES", 1000)

    with pytest.raises(BadImage, match="larger than"):
        image_store(upload=photo_upload(size=(400, 400)), folder="tests")


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(BadImage, match="empty"):
        image_store(upload=SimpleUploadedFile("e.jpg", b""), folder="tests")


def test_private_photos_are_stored_apart_from_public_ones() -> None:
    stored = image_store(upload=photo_upload(), folder="tests/evidence", private=True)

    assert stored.name.startswith("private/tests/evidence/")
    assert stored.thumbnail_name.startswith("private/tests/evidence/")


@pytest.mark.django_db(transaction=True)
def test_deleting_removes_both_files_after_commit() -> None:
    stored = image_store(upload=photo_upload(), folder="tests")

    image_delete(stored.name, stored.thumbnail_name)  # no transaction open: runs at once

    assert not default_storage.exists(stored.name)
    assert not default_storage.exists(stored.thumbnail_name)


@pytest.mark.django_db
def test_photos_written_in_a_transaction_that_rolls_back_are_deleted() -> None:
    written: list[services.StoredImage] = []

    def upload_then_fail() -> None:
        with transaction.atomic():
            written.append(image_store(upload=photo_upload(), folder="tests"))
            assert default_storage.exists(written[0].name)
            raise RuntimeError("the row that would point at the photo is refused")

    with pytest.raises(RuntimeError):
        upload_then_fail()

    (stored,) = written

    assert not default_storage.exists(stored.name)
    assert not default_storage.exists(stored.thumbnail_name)


@pytest.mark.django_db
def test_photos_written_in_a_transaction_that_commits_are_kept(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        stored = image_store(upload=photo_upload(), folder="tests")
    gc.collect()

    assert default_storage.exists(stored.name)
    assert default_storage.exists(stored.thumbnail_name)
    image_delete(stored.name, stored.thumbnail_name)
