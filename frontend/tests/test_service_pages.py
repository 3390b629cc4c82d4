"""The landing page of each service: what it is, how it works and the fairness rules it keeps."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from coop.members.models import User
from frontend.testing import assert_accessible_page

pytestmark = pytest.mark.django_db

# Services whose member pages are open; the others' pages say they are being built.
LIVE_SERVICES = {"timebank", "governance", "lending", "stays", "rides"}

SERVICES = {
    "lending": (
        "Library of things",
        [
            "Deposits are held, not charged",
            "Late fees by a published formula",
            "Check-out at the handover",
            "Check-in on return",
        ],
    ),
    "stays": (
        "Fair short stays",
        [
            "City caps on nights and guests",
            "Licence numbers shown",
            "Half the co-op fee to the community",
            "One host, one home",
        ],
    ),
    "rides": (
        "Shared rides",
        ["Price capped at cost", "cost per km", "Open, explainable matching", "No surge pricing"],
    ),
    "timebank": ("Timebank", ["An hour is an hour", "Balances sum to zero", "Limits both ways"]),
    "governance": (
        "Governance",
        [
            "One member, one vote",
            "Quorum",
            "Secret ballots",
            "Board elections use the single transferable vote",
        ],
    ),
}


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_page_explains_the_service_and_its_rules_to_visitors(
    client: Client, service: str
) -> None:
    heading, rules = SERVICES[service]

    response = client.get(reverse(f"{service}:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert_accessible_page(html)
    assert f"<h1>{heading}</h1>" in html
    assert "How it works" in html
    for rule in rules:
        assert rule in html
    # Visitors are invited to join; nothing pretends to be a live listing.
    assert f'href="{reverse("account_signup")}"' in html
    if service in LIVE_SERVICES:
        # A service that is open must not say it is still being built.
        assert "The co-op is building the pages" not in html
    else:
        assert "The co-op is building the pages where members use" in html


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_page_marks_its_place_in_the_navigation(client: Client, service: str) -> None:
    html = client.get(reverse(f"{service}:index")).content.decode()

    assert f'href="{reverse(f"{service}:index")}" aria-current="page"' in html


@pytest.mark.parametrize("service", SERVICES)
def test_members_see_each_service_page_without_the_join_invitation(
    alice_client: Client, service: str
) -> None:
    response = alice_client.get(reverse(f"{service}:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert_accessible_page(html)
    assert "Join to take part" not in html


@pytest.mark.parametrize("service", SERVICES)
def test_an_applicant_is_told_the_share_unlocks_each_service(applicant: User, service: str) -> None:
    client = Client()
    client.force_login(applicant)

    html = client.get(reverse(f"{service}:index")).content.decode()

    assert "Once your member share is paid you can use every service" in html
