from __future__ import annotations

from django.test import Client

from coop.images.services import image_store
from coop.images.testing import photo_upload
from coop.images.views import image_url


def test_a_public_photo_is_served_from_the_site_itself(client: Client) -> None:
    stored = image_store(upload=photo_upload(), folder="tests/photos")

    url = image_url(stored.name)
    response = client.get(url)

    assert url.startswith("/media/public/tests/photos/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert "immutable" in response["Cache-Control"]
    assert response.content[:4] == b"RIFF"
    assert response["Content-Length"] == str(len(response.content))


def test_private_photos_are_never_served_by_the_public_view(client: Client) -> None:
    stored = image_store(upload=photo_upload(), folder="tests/evidence", private=True)

    assert client.get(f"/media/{stored.name}").status_code == 404


def test_names_outside_the_photo_folders_are_not_served(client: Client) -> None:
    assert client.get("/media/public/../private/x/abc.webp").status_code == 404
    assert client.get("/media/public/tests/missing.webp").status_code == 404
    assert client.get("/media/settings.py").status_code == 404
