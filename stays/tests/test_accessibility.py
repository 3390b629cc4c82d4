"""The pages added for moving, zones, refunds, photos and guests' reviews pass the layout's
accessibility and CSP checks (labelled controls, landmarks, no inline script or style)."""

from __future__ import annotations

from django.test import Client

from coop.images.testing import photo_upload
from frontend.testing import assert_accessible_page
from stays.models import Listing, Zone
from stays.services.photos import listing_photo_add


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert_accessible_page(html)
    return html


def test_the_hosts_pages_are_accessible(listing: Listing, alice_client: Client) -> None:
    listing_photo_add(
        host=listing.host, listing=listing, upload=photo_upload(), alt_text="Living room"
    )
    assert 'alt="Living room"' in _page(alice_client, "/stays/host/")
    _page(alice_client, "/stays/host/home/")
    _page(alice_client, f"/stays/listings/{listing.pk}/")


def test_the_guests_page_is_accessible(listing: Listing, bob_client: Client) -> None:
    assert "What hosts said about you" in _page(bob_client, "/stays/trips/")


def test_the_board_pages_are_accessible(zones: dict[str, Zone], board_mfa_client: Client) -> None:
    assert "Gràcia" in _page(board_mfa_client, "/stays/board/zones/")
    _page(board_mfa_client, f"/stays/board/zones/{zones['gracia'].pk}/")
    _page(board_mfa_client, "/stays/board/zones/new/")
    assert "Every refund has reached its guest." in _page(board_mfa_client, "/stays/board/refunds/")
