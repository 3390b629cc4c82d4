"""Listing photos: uploaded through coop.images by the host, ordered, with alt text, removed;
shown on the listing page and in search results, and in the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from coop.exceptions import InvalidInput
from coop.images.exceptions import BadImage
from coop.images.testing import photo_upload
from coop.members.models import User
from stays.exceptions import StaysNotAllowed
from stays.models import Listing, ListingPhoto
from stays.services.photos import listing_photo_add, listing_photo_move, listing_photo_remove

API = "/api/v1/stays/listings"


def _add(listing: Listing, alt: str = "Living room with a balcony") -> ListingPhoto:
    return listing_photo_add(
        host=listing.host, listing=listing, upload=photo_upload(), alt_text=alt
    )


def test_the_host_adds_photos_in_order_stripped_of_their_location(listing: Listing) -> None:
    first = listing_photo_add(
        host=listing.host, listing=listing, upload=photo_upload(gps=True), alt_text="Kitchen"
    )
    second = _add(listing, "Bedroom")

    assert [p.alt_text for p in listing.photos.all()] == ["Kitchen", "Bedroom"]
    assert (first.position, second.position) == (0, 1)
    with default_storage.open(first.image_name, "rb") as stored:
        assert b"GPS" not in stored.read()
    assert first.url.startswith("/media/public/stays/listings/")


def test_only_the_host_adds_and_every_photo_says_what_it_shows(listing: Listing, bob: User) -> None:
    with pytest.raises(StaysNotAllowed):
        listing_photo_add(host=bob, listing=listing, upload=photo_upload(), alt_text="Mine")
    with pytest.raises(InvalidInput) as refused:
        listing_photo_add(host=listing.host, listing=listing, upload=photo_upload(), alt_text=" ")
    assert "alt_text" in refused.value.fields
    with pytest.raises(BadImage):
        listing_photo_add(
            host=listing.host,
            listing=listing,
            upload=SimpleUploadedFile("notes.jpg", b"not a photo", "image/jpeg"),
            alt_text="Fake",
        )
    assert not listing.photos.exists()


def test_photos_are_reordered_and_removed_keeping_their_order(listing: Listing) -> None:
    photos = [_add(listing, name) for name in ("A", "B", "C")]

    listing_photo_move(host=listing.host, photo=photos[2], position=0)
    assert [p.alt_text for p in listing.photos.all()] == ["C", "A", "B"]

    listing_photo_remove(host=listing.host, photo=ListingPhoto.objects.get(alt_text="A"))
    assert [(p.alt_text, p.position) for p in listing.photos.all()] == [("C", 0), ("B", 1)]
    with pytest.raises(InvalidInput):
        listing_photo_move(host=listing.host, photo=photos[2], position=5)


def test_the_listing_page_and_the_search_results_show_the_photos(
    listing: Listing, bob_client: Client
) -> None:
    cover = _add(listing, "Sunny living room")
    _add(listing, "Bathroom")

    page = bob_client.get(f"/stays/listings/{listing.pk}/").content.decode()
    assert f'src="{cover.url}" alt="Sunny living room"' in page
    assert 'alt="Bathroom"' in page
    results = bob_client.get("/stays/search/").content.decode()
    assert f'src="{cover.thumbnail_url}" alt="Sunny living room"' in results


def test_the_host_manages_photos_from_the_host_desk(
    listing: Listing, alice_client: Client, bob_client: Client
) -> None:
    url = f"/stays/host/listings/{listing.pk}/photos/"
    assert bob_client.post(url, {"photo": photo_upload(), "alt_text": "x"}).status_code == 404

    alice_client.post(url, {"photo": photo_upload(), "alt_text": "Terrace"})
    alice_client.post(url, {"photo": photo_upload(), "alt_text": "Hall"})
    hall = ListingPhoto.objects.get(alt_text="Hall")
    alice_client.post(f"{url}{hall.pk}/cover/")
    assert [p.alt_text for p in listing.photos.all()] == ["Hall", "Terrace"]

    desk = alice_client.get("/stays/host/").content.decode()
    assert 'alt="Hall"' in desk
    refused = alice_client.post(url, {"photo": photo_upload(), "alt_text": ""}, follow=True)
    assert "required" in refused.content.decode()

    alice_client.post(f"{url}{hall.pk}/remove/")
    assert [p.alt_text for p in listing.photos.all()] == ["Terrace"]


def test_the_api_uploads_orders_lists_and_removes_photos(
    listing: Listing,
    alice_client: Client,
    charlie_client: Client,
    django_assert_max_num_queries: Any,
) -> None:
    url = f"{API}/{listing.pk}/photos"
    assert charlie_client.post(url, {"photo": photo_upload(), "alt_text": "x"}).status_code == 404
    bad = alice_client.post(url, {"photo": photo_upload(), "alt_text": " "})
    assert bad.status_code == 400
    assert "alt_text" in bad.json()["error"]["fields"]

    first = alice_client.post(url, {"photo": photo_upload(), "alt_text": "Kitchen"}).json()
    second = alice_client.post(url, {"photo": photo_upload(), "alt_text": "Patio"}).json()
    order = alice_client.post(
        f"{url}/{second['id']}/position", {"position": 0}, content_type="application/json"
    ).json()
    assert [p["alt_text"] for p in order] == ["Patio", "Kitchen"]

    with django_assert_max_num_queries(6):
        shown = alice_client.get(f"{API}/{listing.pk}").json()
    assert [p["alt_text"] for p in shown["photos"]] == ["Patio", "Kitchen"]
    assert shown["photos"][0]["url"].startswith("/media/public/")

    assert alice_client.delete(f"{url}/{first['id']}").status_code == 204
    assert charlie_client.delete(f"{url}/{second['id']}").status_code == 404
    assert [p.alt_text for p in listing.photos.all()] == ["Patio"]


def test_search_results_cost_the_same_with_photos(
    listing: Listing, alice_client: Client, django_assert_max_num_queries: Any
) -> None:
    for name in ("A", "B", "C"):
        _add(listing, name)
    with django_assert_max_num_queries(8):
        results = alice_client.get(API).json()["results"]
    assert [p["alt_text"] for p in results[0]["photos"]] == ["A", "B", "C"]
