"""Bad input found by the fuzzing tests, pinned so that it stays a 4xx."""

from __future__ import annotations

from django.test import Client


def test_an_unreadable_multipart_upload_is_a_400(alice_client: Client) -> None:
    # One part whose headers never end: Django's parser gives up reading it.
    body = b"--xx\r\n" + b"A" * 20_000 + b"\r\n--xx--\r\n"

    response = alice_client.generic(
        "POST",
        "/api/v1/stays/listings/1/photos",
        data=body,
        content_type="multipart/form-data; boundary=xx",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_a_page_number_past_any_table_is_a_400(alice_client: Client) -> None:
    response = alice_client.get("/api/v1/rides/bookings", {"page": 10**30})

    assert response.status_code == 400
    assert "page" in response.json()["error"]["fields"]


def test_a_path_with_a_newline_under_the_api_answers_in_json(alice_client: Client) -> None:
    response = alice_client.post("/api/v1/coop/surplus/%0A1/simulate")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_nul_character_in_a_json_body_is_a_400_naming_the_field(alice_client: Client) -> None:
    # PostgreSQL cannot store NUL in text: without the parser's check this was a 500 there.
    response = alice_client.post(
        "/api/v1/governance/proposals",
        {"title": "A bench\x00 in the square", "text": "Where people meet."},
        content_type="application/json",
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "NUL" in error["message"]
    assert list(error["fields"]) == ["title"]


def test_a_nul_character_in_a_query_string_is_a_400(alice_client: Client) -> None:
    response = alice_client.get("/api/v1/lending/items", {"q": "drill\x00"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"q": [response.json()["error"]["message"]]}
