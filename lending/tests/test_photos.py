"""Item photos (public) and condition photos at check-out and check-in (private)."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from coop.images.testing import photo_upload
from coop.members.models import User
from frontend.testing import assert_accessible_page
from lending import photos, privacy, services
from lending.models import ConditionPhoto, Item, ItemPhoto, PhotoStage, Reservation
from lending.tests.conftest import at

pytestmark = pytest.mark.django_db
API = "/api/v1/lending"


def _add(item: Item, owner: User, alt_text: str = "The drill in its case") -> ItemPhoto:
    return photos.item_photo_add(actor=owner, item=item, upload=photo_upload(), alt_text=alt_text)


def test_the_owner_adds_a_photo_on_the_items_photo_page_and_everyone_sees_it(
    drill: Item, alice_client: Client, bob_client: Client
) -> None:
    url = f"/lending/items/{drill.pk}/photos/"
    html = alice_client.get(url).content.decode()
    assert_accessible_page(html)
    assert 'enctype="multipart/form-data"' in html

    response = alice_client.post(
        url,
        {"action": "add", "photo": photo_upload(size=(2000, 1500)), "alt_text": "Drill, side"},
    )

    assert response.status_code == 302
    photo = ItemPhoto.objects.get(item=drill)
    assert (photo.width, photo.height, photo.alt_text) == (1600, 1200, "Drill, side")
    item_page = bob_client.get(f"/lending/items/{drill.pk}/").content.decode()
    assert_accessible_page(item_page)
    assert f'src="{photo.url}"' in item_page
    assert 'alt="Drill, side"' in item_page
    browse = bob_client.get("/lending/").content.decode()
    assert f'src="{photo.thumbnail_url}"' in browse
    assert bob_client.get(photo.url).status_code == 200


def test_a_file_that_is_not_a_photo_is_refused_on_the_form(
    drill: Item, alice_client: Client
) -> None:
    fake = SimpleUploadedFile("drill.jpg", b"not a picture at all", content_type="image/jpeg")

    response = alice_client.post(
        f"/lending/items/{drill.pk}/photos/", {"action": "add", "photo": fake, "alt_text": "x"}
    )

    assert response.status_code == 200
    assert "not a photo we can read" in response.content.decode()
    assert not ItemPhoto.objects.exists()


def test_only_the_owner_manages_photos(
    drill: Item, alice: User, charlie: User, charlie_client: Client
) -> None:
    photo = _add(drill, alice)

    assert charlie_client.get(f"/lending/items/{drill.pk}/photos/").status_code == 404
    removed = charlie_client.post(
        f"/lending/items/{drill.pk}/photos/", {"action": "remove", "photo": photo.pk}
    )
    assert removed.status_code == 404
    api = charlie_client.post(
        f"{API}/items/{drill.pk}/photos", {"photo": photo_upload(), "alt_text": "mine now"}
    )
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "forbidden"
    assert charlie_client.delete(f"{API}/items/{drill.pk}/photos/{photo.pk}").status_code == 403
    assert ItemPhoto.objects.count() == 1


def test_photos_are_ordered_moved_and_removed_on_the_page(
    drill: Item, alice: User, alice_client: Client
) -> None:
    first, second = _add(drill, alice, "Front"), _add(drill, alice, "Back")
    url = f"/lending/items/{drill.pk}/photos/"

    alice_client.post(url, {"action": "earlier", "photo": second.pk})
    assert [p.alt_text for p in drill.photos.all()] == ["Back", "Front"]

    alice_client.post(url, {"action": "remove", "photo": second.pk})
    assert list(drill.photos.all()) == [first]


@pytest.mark.django_db(transaction=True)
def test_a_removed_photos_files_are_deleted(drill: Item, alice: User) -> None:
    photo = _add(drill, alice)

    photos.item_photo_remove(actor=alice, photo=photo)

    assert not default_storage.exists(photo.image_name)
    assert not default_storage.exists(photo.thumbnail_name)


def test_the_api_adds_orders_and_removes_photos(
    drill: Item, alice_client: Client, bob_client: Client
) -> None:
    created = [
        alice_client.post(
            f"{API}/items/{drill.pk}/photos",
            {"photo": photo_upload(image_format="PNG", name="p.png"), "alt_text": alt},
        )
        for alt in ("One", "Two")
    ]
    assert [r.status_code for r in created] == [201, 201]
    one, two = (r.json()["id"] for r in created)
    assert created[0].json()["url"].startswith("/media/public/lending/items/")

    order = alice_client.put(
        f"{API}/items/{drill.pk}/photos/order",
        {"photo_ids": [two, one]},
        content_type="application/json",
    )
    assert order.status_code == 200
    shown = bob_client.get(f"{API}/items/{drill.pk}").json()["photos"]
    assert [p["alt_text"] for p in shown] == ["Two", "One"]

    bad = alice_client.put(
        f"{API}/items/{drill.pk}/photos/order",
        {"photo_ids": [two]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert alice_client.delete(f"{API}/items/{drill.pk}/photos/{one}").status_code == 204
    assert alice_client.delete(f"{API}/items/{drill.pk}/photos/{one}").status_code == 404


def test_the_api_refuses_a_bad_image_and_a_missing_alt_text(
    drill: Item, alice_client: Client
) -> None:
    text = SimpleUploadedFile("x.jpg", b"hello", content_type="image/jpeg")

    bad = alice_client.post(f"{API}/items/{drill.pk}/photos", {"photo": text, "alt_text": "x"})
    no_alt = alice_client.post(
        f"{API}/items/{drill.pk}/photos", {"photo": photo_upload(), "alt_text": "  "}
    )

    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "bad_image"
    assert "photo" in bad.json()["error"]["fields"]
    assert no_alt.status_code == 400
    assert "alt_text" in no_alt.json()["error"]["fields"]


def test_an_item_has_at_most_the_limit_of_photos(
    drill: Item, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(photos, "MAX_ITEM_PHOTOS", 2)
    _add(drill, alice)
    _add(drill, alice)

    with pytest.raises(services.InvalidInput) as refused:
        _add(drill, alice)

    assert refused.value.code == "too_many_photos"


def test_search_results_with_photos_cost_the_same_number_of_queries(  # noqa: PLR0917
    drill: Item,
    ladder: Item,
    alice: User,
    board: User,
    bob_client: Client,
    django_assert_max_num_queries: Any,
) -> None:
    for _ in range(3):
        _add(drill, alice)
        photos.item_photo_add(actor=board, item=ladder, upload=photo_upload(), alt_text="Ladder")

    with django_assert_max_num_queries(9):
        results = bob_client.get(f"{API}/items").json()["results"]

    assert {len(r["photos"]) for r in results} == {3}


# --- Condition photos ----------------------------------------------------------------------------


def _picked_up_with_photo(
    drill: Item, alice_client: Client, bob: User, frozen_now: time_machine.Traveller
) -> Reservation:
    reservation = services.reservation_request(
        borrower=bob, item=drill, starts_at=at(2), ends_at=at(6)
    )
    frozen_now.move_to(at(2))
    response = alice_client.post(
        f"/lending/loans/{reservation.pk}/",
        {
            "action": "approve",
        },
    )
    assert response.status_code == 302
    response = alice_client.post(
        f"/lending/loans/{reservation.pk}/",
        {
            "action": "pickup",
            "out-prompt_0": "Charged",
            "out-condition_note": "Scratch on the side",
            "out-photo": photo_upload(orientation=6, gps=True),
        },
    )
    assert response.status_code == 302
    return Reservation.objects.get(pk=reservation.pk)


def test_a_check_out_photo_is_private_to_the_loan_and_the_board(  # noqa: PLR0917
    drill: Item,
    bob: User,
    alice_client: Client,
    bob_client: Client,
    charlie_client: Client,
    board_client: Client,
    client: Client,
    frozen_now: time_machine.Traveller,
) -> None:
    reservation = _picked_up_with_photo(drill, alice_client, bob, frozen_now)

    photo = ConditionPhoto.objects.get(reservation=reservation)
    assert photo.stage == PhotoStage.CHECKOUT
    assert photo.image_name.startswith("private/")
    url = f"{API}/condition-photos/{photo.pk}"
    for allowed in (alice_client, bob_client, board_client):
        response = allowed.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/webp"
        assert "private" in response["Cache-Control"]
    assert bob_client.get(f"{url}?size=thumbnail").status_code == 200
    assert charlie_client.get(url).status_code == 404
    assert client.get(url).status_code == 401
    # Not reachable through the public media address either.
    assert client.get(f"/media/{photo.image_name}").status_code == 404
    loan_page = bob_client.get(f"/lending/loans/{reservation.pk}/").content.decode()
    assert_accessible_page(loan_page)
    assert url in loan_page
    listed = bob_client.get(f"{API}/reservations/{reservation.pk}").json()
    assert listed["condition_photos"][0]["url"] == url


def test_a_bad_photo_refuses_the_whole_check_out(
    drill: Item, bob: User, alice: User, alice_client: Client, frozen_now: time_machine.Traveller
) -> None:
    reservation = services.reservation_request(
        borrower=bob, item=drill, starts_at=at(2), ends_at=at(6)
    )
    services.reservation_approve(actor=alice, reservation=reservation)
    frozen_now.move_to(at(2))

    response = alice_client.post(
        f"/lending/loans/{reservation.pk}/",
        {
            "action": "pickup",
            "out-prompt_0": "Charged",
            "out-photo": SimpleUploadedFile("a.jpg", b"nope", content_type="image/jpeg"),
        },
    )

    assert response.status_code == 200
    assert "not a photo we can read" in response.content.decode()
    assert Reservation.objects.get(pk=reservation.pk).status == "approved"
    assert not ConditionPhoto.objects.exists()


def test_check_in_photos_through_the_api_and_when_the_stage_is_closed(  # noqa: PLR0917
    drill: Item,
    alice: User,
    bob: User,
    alice_client: Client,
    bob_client: Client,
    charlie_client: Client,
    frozen_now: time_machine.Traveller,
) -> None:
    reservation = _picked_up_with_photo(drill, alice_client, bob, frozen_now)
    url = f"{API}/reservations/{reservation.pk}/condition-photos"

    # The borrower documents the condition before handing it back.
    added = bob_client.post(url, {"stage": "checkin", "photo": photo_upload()})
    assert added.status_code == 201
    assert added.json()["stage"] == "checkin"
    assert (
        charlie_client.post(url, {"stage": "checkin", "photo": photo_upload()}).status_code == 404
    )
    unknown = bob_client.post(url, {"stage": "later", "photo": photo_upload()})
    assert unknown.status_code == 400

    services.reservation_return(
        actor=alice,
        reservation=reservation,
        condition="good",
        answers={"Bits all back in the case?": "yes"},
    )
    frozen_now.move_to(at(6 + 25))
    closed = bob_client.post(url, {"stage": "checkin", "photo": photo_upload()})
    assert closed.status_code == 409
    assert closed.json()["error"]["code"] == "photo_stage_closed"


@pytest.mark.django_db(transaction=True)
def test_a_leaving_members_photos_are_exported_then_deleted_with_their_files(
    drill: Item, alice: User
) -> None:
    photo = _add(drill, alice, "Drill on the bench")

    exported = privacy.export(alice)
    privacy.anonymise(alice)

    assert exported["items"][0]["photos"] == [{"url": photo.url, "alt_text": "Drill on the bench"}]
    assert not ItemPhoto.objects.exists()
    assert not default_storage.exists(photo.image_name)
    assert not default_storage.exists(photo.thumbnail_name)
