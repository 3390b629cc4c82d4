from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from coop.members.models import User
from frontend.testing import assert_accessible_page

pytestmark = pytest.mark.django_db


def test_the_rides_page_explains_the_service_to_visitors(client: Client) -> None:
    response = client.get(reverse("rides:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert_accessible_page(html)
    assert "<h1>Shared rides</h1>" in html
    assert "How it works" in html
    for rule in (
        "Price capped at cost",
        "cost per km",
        "Open, explainable matching",
        "No surge pricing",
    ):
        assert rule in html
    # Visitors are invited to join; nothing pretends to be a live listing.
    assert f'href="{reverse("account_signup")}"' in html
    assert "The co-op is building the pages where members use" in html


def test_the_rides_page_marks_its_place_in_the_navigation(client: Client) -> None:
    html = client.get(reverse("rides:index")).content.decode()

    assert f'href="{reverse("rides:index")}" aria-current="page"' in html


def test_members_see_the_rides_page_without_the_join_invitation(alice_client: Client) -> None:
    response = alice_client.get(reverse("rides:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert_accessible_page(html)
    assert "Join to take part" not in html


def test_an_applicant_is_told_the_share_unlocks_rides(applicant: User) -> None:
    client = Client()
    client.force_login(applicant)

    html = client.get(reverse("rides:index")).content.decode()

    assert "Once your member share is paid you can use every service" in html
