from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from coop.geo.points import Point, distance_km
from coop.members.models import User
from coop.members.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def patch(client: Client, url: str, body: Any) -> Any:
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_me_returns_the_contract_fields(alice_client: Client, alice: User) -> None:
    response = alice_client.get("/api/v1/me")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == alice.pk
    assert body["email"] == "alice@example.org"
    assert body["display_name"] == "Alice"
    assert body["membership_status"] == "member"
    assert body["is_board"] is False
    assert body["home"] is None
    assert body["member_number"] == alice.member_number


def test_me_says_board_members_are_board(board_client: Client) -> None:
    assert board_client.get("/api/v1/me").json()["is_board"] is True


def test_me_needs_a_signed_in_member(client: Client) -> None:
    assert_error(client.get("/api/v1/me"), 401, "not_authenticated")


def test_patch_me_changes_the_profile(alice_client: Client, alice: User) -> None:
    response = patch(
        alice_client,
        "/api/v1/me",
        {
            "display_name": "  Alice   Puig ",
            "bio": "Fixes bikes.",
            "skills": ["bike repair", "Bike repair", "cooking"],
            "preferred_language": "ca",
            "home": {"lat": 41.4036, "lng": 2.1564},
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["display_name"] == "Alice Puig"
    assert body["skills"] == ["bike repair", "cooking"]
    assert body["home"] == {"lat": 41.4036, "lng": 2.1564}
    alice.refresh_from_db()
    assert alice.preferred_language == "ca"
    assert alice.home == Point(41.4036, 2.1564)


def test_patch_me_leaves_unsent_fields_alone_and_null_clears_the_home(
    alice_client: Client, alice: User
) -> None:
    alice.bio = "Keeps this."
    alice.home_lat, alice.home_lng = 41.38, 2.17
    alice.save()

    body = patch(alice_client, "/api/v1/me", {"home": None}).json()

    assert body["home"] is None
    assert body["bio"] == "Keeps this."


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"home": {"lat": 91, "lng": 2}}, "home.lat", "invalid"),
        ({"home": {"lat": 41, "lng": -181}}, "home.lng", "invalid"),
        ({"home": {"lat": "north", "lng": 2}}, "home.lat", "invalid"),
        ({"home": {"lat": 41}}, "home.lng", "invalid"),
        ({"display_name": ""}, "display_name", "invalid"),
        ({"skills": "not a list"}, "skills", "invalid"),
        ({"bio": "x" * 2001}, "bio", "invalid"),
        # Rules the schema cannot express are checked by the service.
        ({"display_name": "   "}, "display_name", "invalid_profile"),
        ({"preferred_language": "klingon"}, "preferred_language", "invalid_profile"),
        ({"skills": ["x" * 41]}, "skills", "invalid_profile"),
    ],
)
def test_patch_me_refuses_bad_input_with_the_field_named(
    alice_client: Client, alice: User, payload: dict[str, Any], field: str, code: str
) -> None:
    error = assert_error(patch(alice_client, "/api/v1/me", payload), 400, code)

    assert field in error["fields"]
    alice.refresh_from_db()
    assert alice.display_name == "Alice"
    assert alice.home is None


def test_patch_me_refuses_nan_and_infinity(alice_client: Client) -> None:
    for raw in ('{"home": {"lat": NaN, "lng": 2}}', '{"home": {"lat": Infinity, "lng": 2}}'):
        response = alice_client.patch("/api/v1/me", data=raw, content_type="application/json")
        error = assert_error(response, 400, "invalid")
        assert "home.lat" in error["fields"]


def test_malformed_json_is_a_clear_400(alice_client: Client) -> None:
    response = alice_client.patch("/api/v1/me", data="{oops", content_type="application/json")
    assert_error(response, 400, "invalid")


def test_patch_me_with_a_session_needs_the_csrf_token(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = patch(client, "/api/v1/me", {"bio": "sneaky"})

    assert_error(response, 403, "csrf_failed")
    alice.refresh_from_db()
    assert alice.bio == ""


def test_an_app_client_authenticates_with_its_session_token(alice: User) -> None:
    client = Client()
    login = client.post(
        "/_allauth/app/v1/auth/login",
        data=json.dumps({"email": "alice@example.org", "password": "correct horse battery staple"}),
        content_type="application/json",
    )
    assert login.status_code == 200, login.content
    token = login.json()["meta"]["session_token"]

    app = Client(headers={"X-Session-Token": token})
    assert app.get("/api/v1/me").json()["id"] == alice.pk
    # Token-authenticated writes need no CSRF token: no cookie is involved.
    response = patch(
        Client(enforce_csrf_checks=True, headers={"X-Session-Token": token}),
        "/api/v1/me",
        {"bio": "From the app"},
    )
    assert response.status_code == 200
    assert response.json()["bio"] == "From the app"


def test_a_bad_session_token_is_refused(db: None) -> None:
    response = Client(headers={"X-Session-Token": "nope"}).get("/api/v1/me")
    assert_error(response, 401, "not_authenticated")


def test_a_public_profile_hides_email_and_exact_home(bob_client: Client, alice: User) -> None:
    alice.home_lat, alice.home_lng = 41.4036, 2.1564
    alice.bio = "Lends drills."
    alice.save()

    response = bob_client.get(f"/api/v1/members/{alice.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["display_name"] == "Alice"
    assert body["bio"] == "Lends drills."
    assert "email" not in body
    assert "alice@example.org" not in response.content.decode()
    area = Point(body["area"]["lat"], body["area"]["lng"])
    assert area != alice.home
    assert alice.home is not None
    assert 0.09 <= distance_km(area, alice.home) <= 0.31
    # Stable: looking again shows the same approximate point.
    assert bob_client.get(f"/api/v1/members/{alice.pk}").json()["area"] == body["area"]


def test_applicants_and_unknown_ids_are_not_found(bob_client: Client) -> None:
    applicant = UserFactory.create()
    assert_error(bob_client.get(f"/api/v1/members/{applicant.pk}"), 404, "not_found")
    assert_error(bob_client.get("/api/v1/members/999999"), 404, "not_found")
    assert_error(bob_client.get("/api/v1/members/not-a-number"), 400, "invalid")


def test_profiles_need_a_signed_in_user(client: Client, alice: User) -> None:
    assert_error(client.get(f"/api/v1/members/{alice.pk}"), 401, "not_authenticated")


def test_unknown_api_paths_answer_in_the_error_format(client: Client) -> None:
    assert_error(client.get("/api/v1/no/such/thing"), 404, "not_found")


def test_the_openapi_document_describes_the_contract(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    assert {"get", "patch"} <= set(spec["paths"]["/api/v1/me"])
    assert "/api/v1/members/{member_id}" in spec["paths"]
    assert "ErrorOut" in spec["components"]["schemas"]


def test_the_api_docs_page_is_served_without_outside_resources(client: Client) -> None:
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "https://" not in html


def test_a_wrong_method_answers_in_the_error_format(alice_client: Client) -> None:
    response = alice_client.put("/api/v1/members/1", data="{}", content_type="application/json")

    error = assert_error(response, 405, "method_not_allowed")
    assert "GET" in error["message"]
    assert response["Allow"] == "GET"
