from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from coop.geo.approximate import approximate_point
from coop.geo.points import Point
from coop.members.models import User
from coop.members.tests.factories import MemberFactory
from frontend.testing import assert_accessible_page, form_controls

pytestmark = pytest.mark.django_db

HOME = Point(41.387412, 2.168563)


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _valid_profile(**overrides: str) -> dict[str, str]:
    data = {
        "display_name": "Alice Puig",
        "preferred_language": "es",
        "bio": "I lend tools and fix bikes.",
        "skills": "bike repair, Catalan ,  , plumbing",
        "home_lat": "41.387412",
        "home_lng": "2.168563",
    }
    data.update(overrides)
    return data


# My profile


def test_the_profile_page_needs_a_signed_in_member(client: Client) -> None:
    response = client.get(reverse("members:profile_edit"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_member_sees_their_profile_form_filled_in(alice: User) -> None:
    alice.skills = ["bike repair", "Catalan"]
    alice.save(update_fields=["skills"])

    response = _client_for(alice).get(reverse("members:profile_edit"))

    assert response.status_code == 200
    html = response.content.decode()
    assert_accessible_page(html)
    assert form_controls(html) == [
        "display_name",
        "preferred_language",
        "bio",
        "skills",
        "home_lat",
        "home_lng",
    ]
    assert 'value="bike repair, Catalan"' in html
    assert "Other members see only an approximate area" in html


def test_a_member_saves_their_profile(alice: User) -> None:
    client = _client_for(alice)

    response = client.post(reverse("members:profile_edit"), _valid_profile())

    assert response.status_code == 302
    assert response["Location"] == reverse("members:profile_edit")
    alice.refresh_from_db()
    assert alice.display_name == "Alice Puig"
    assert alice.preferred_language == "es"
    assert alice.bio == "I lend tools and fix bikes."
    assert alice.skills == ["bike repair", "Catalan", "plumbing"]
    assert alice.home == HOME
    assert "Your profile is saved." in client.get(response["Location"]).content.decode()


def test_leaving_both_coordinates_empty_removes_the_home(alice: User) -> None:
    alice.home_lat, alice.home_lng = HOME.lat, HOME.lng
    alice.save(update_fields=["home_lat", "home_lng"])

    response = _client_for(alice).post(
        reverse("members:profile_edit"), _valid_profile(home_lat="", home_lng="")
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.home is None


def test_a_latitude_of_200_is_refused_with_a_form_error(alice: User) -> None:
    response = _client_for(alice).post(
        reverse("members:profile_edit"), _valid_profile(home_lat="200", display_name="Changed")
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_home_lat_error"' in html
    assert "less than or equal to 90" in html
    assert_accessible_page(html)
    alice.refresh_from_db()
    assert alice.display_name == "Alice"
    assert alice.home is None


@pytest.mark.parametrize("missing", ["home_lat", "home_lng"])
def test_half_a_home_location_is_refused(alice: User, missing: str) -> None:
    response = _client_for(alice).post(
        reverse("members:profile_edit"), _valid_profile(**{missing: ""})
    )

    assert response.status_code == 200
    assert f'id="id_{missing}_error"' in response.content.decode()
    alice.refresh_from_db()
    assert alice.home is None


def test_a_service_refusal_appears_next_to_its_field_and_nothing_is_saved(alice: User) -> None:
    # The form accepts any text; the service refuses a skill longer than 40 characters.
    too_long = "x" * 41

    response = _client_for(alice).post(
        reverse("members:profile_edit"),
        _valid_profile(skills=f"bike repair, {too_long}", display_name="Changed"),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_skills_error"' in html
    assert "Each skill is at most 40 characters." in html
    # The header shows the name that is really saved, not the refused one.
    assert "Changed" not in html.split("<main", 1)[0]
    alice.refresh_from_db()
    assert alice.display_name == "Alice"
    assert alice.skills == []


def test_a_blank_name_is_refused(alice: User) -> None:
    response = _client_for(alice).post(
        reverse("members:profile_edit"), _valid_profile(display_name="   ")
    )

    assert response.status_code == 200
    assert 'id="id_display_name_error"' in response.content.decode()
    alice.refresh_from_db()
    assert alice.display_name == "Alice"


def test_an_unknown_language_is_refused(alice: User) -> None:
    response = _client_for(alice).post(
        reverse("members:profile_edit"), _valid_profile(preferred_language="xx")
    )

    assert response.status_code == 200
    assert 'id="id_preferred_language_error"' in response.content.decode()


def test_charlie_can_only_ever_edit_his_own_profile(alice: User, charlie: User) -> None:
    # There is no profile id in the address: the page always edits the signed-in member.
    response = _client_for(charlie).post(
        reverse("members:profile_edit"), _valid_profile(display_name="Not Alice")
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    charlie.refresh_from_db()
    assert alice.display_name == "Alice"
    assert charlie.display_name == "Not Alice"


# Public profiles


def test_a_public_profile_needs_a_signed_in_member(client: Client, alice: User) -> None:
    response = client.get(reverse("members:detail", args=[alice.pk]))

    assert response.status_code == 302


def test_a_public_profile_shows_an_approximate_area_never_the_email_or_home(
    alice: User, charlie: User
) -> None:
    alice.home_lat, alice.home_lng = HOME.lat, HOME.lng
    alice.bio = "I lend tools."
    alice.skills = ["bike repair"]
    alice.save(update_fields=["home_lat", "home_lng", "bio", "skills"])
    area = approximate_point(HOME, key=f"member:{alice.pk}")

    response = _client_for(charlie).get(reverse("members:detail", args=[alice.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert_accessible_page(html)
    assert "<h1>Alice</h1>" in html
    assert "I lend tools." in html
    assert "bike repair" in html
    assert f"Member no. {alice.member_number}" in html
    assert f"{area.lat:.3f}, {area.lng:.3f}" in html
    assert alice.email not in html
    # The exact home never appears. (Shorter prefixes can: the shown point may share the first
    # decimals of one coordinate while being 100-300 m away.)
    for exact in ("41.387412", "2.168563"):
        assert exact not in html
    assert "This is how other members see your profile." not in html


def test_a_member_sees_their_own_public_profile_as_others_do(alice: User) -> None:
    html = _client_for(alice).get(reverse("members:detail", args=[alice.pk])).content.decode()

    assert "This is how other members see your profile." in html
    assert "Not shared" in html


def test_an_applicants_profile_is_not_public(charlie: User, applicant: User) -> None:
    response = _client_for(charlie).get(reverse("members:detail", args=[applicant.pk]))

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_an_unknown_member_is_not_found(charlie: User) -> None:
    response = _client_for(charlie).get(reverse("members:detail", args=[999_999]))

    assert response.status_code == 404


def test_a_public_profile_costs_a_fixed_number_of_queries(
    charlie: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    member = MemberFactory.create(skills=[f"skill {n}" for n in range(20)])
    client = _client_for(charlie)

    # The session, the viewer, the unread count and the member.
    with django_assert_max_num_queries(4):
        response = client.get(reverse("members:detail", args=[member.pk]))
    assert response.status_code == 200
