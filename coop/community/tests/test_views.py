"""The community pages: public list and detail, the propose form and the board's review."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from coop.community.models import CommunityProject, ProjectStatus
from coop.community.tests.conftest import FakeStripe, make_ballot
from frontend.testing import assert_accessible_page

pytestmark = pytest.mark.django_db


def test_the_public_list_and_detail_show_approved_projects(
    approved: CommunityProject, client: Client
) -> None:
    listing = client.get("/community/")
    assert listing.status_code == 200
    assert approved.name in listing.content.decode()
    assert_accessible_page(listing.content.decode())
    detail = client.get(f"/community/{approved.slug}/")
    assert detail.status_code == 200
    assert "Money in and out" in detail.content.decode()
    assert_accessible_page(detail.content.decode())


def test_a_pending_project_page_is_not_public(proposal: CommunityProject, client: Client) -> None:
    assert client.get(f"/community/{proposal.slug}/").status_code == 404


def test_a_member_proposes_through_the_form(bob_client: Client) -> None:
    page = bob_client.get("/community/propose/")
    assert_accessible_page(page.content.decode())
    response = bob_client.post(
        "/community/propose/",
        {"name": "Bike racks", "description": "For the market.", "amount": "1200.50"},
    )
    assert response.status_code == 302
    project = CommunityProject.objects.get(slug="bike-racks")
    assert project.amount_cents == 120050
    assert project.status == ProjectStatus.PROPOSED


def test_a_half_given_place_is_refused_by_the_form(bob_client: Client) -> None:
    response = bob_client.post(
        "/community/propose/",
        {"name": "Bike racks", "description": "For the market.", "amount": "10", "lat": "41.4"},
    )
    assert response.status_code == 200
    assert not CommunityProject.objects.exists()


def test_only_the_board_sees_the_review_page(
    proposal: CommunityProject, charlie_client: Client, board_client: Client, settings: Any
) -> None:
    settings.BOARD_MFA_REQUIRED = False
    assert charlie_client.get("/community/review/").status_code == 404
    page = board_client.get("/community/review/")
    assert page.status_code == 200
    assert proposal.name in page.content.decode()
    assert_accessible_page(page.content.decode())


def test_the_board_approves_from_the_review_page(
    proposal: CommunityProject, board_client: Client, settings: Any
) -> None:
    settings.BOARD_MFA_REQUIRED = False
    ballot = make_ballot(passed=True)
    response = board_client.post(f"/community/{proposal.slug}/approve/", {"ballot": ballot.pk})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProjectStatus.APPROVED


def test_charlie_posting_a_decision_changes_nothing(
    proposal: CommunityProject, charlie_client: Client
) -> None:
    charlie_client.post(f"/community/{proposal.slug}/reject/", {"reason": "No."})
    proposal.refresh_from_db()
    assert proposal.status == ProjectStatus.PROPOSED


def test_a_member_gives_from_the_project_page_and_gets_the_payment_form(
    approved: CommunityProject, bob_client: Client, fake_stripe: FakeStripe
) -> None:
    response = bob_client.post(f"/community/{approved.slug}/give/", {"amount": "15.00"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-client-secret="pi_' in html
    assert_accessible_page(html)
