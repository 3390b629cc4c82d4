"""`/api/v1/community`: the public list and detail, proposing, and the board's decisions."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from coop.community.models import CommunityProject, ProjectStatus
from coop.community.tests.conftest import FakeStripe, make_ballot
from coop.money.amounts import Money
from coop.money.ledger import Cause, coop_account, ledger_post
from coop.money.models import AccountKind

pytestmark = pytest.mark.django_db

URL = "/api/v1/community/projects"


def test_anyone_lists_approved_projects_with_their_money(
    approved: CommunityProject, proposal_other: CommunityProject, client: Client,
    django_assert_max_num_queries: Any,
) -> None:  # fmt: skip
    with django_assert_max_num_queries(4):
        response = client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert [p["slug"] for p in body["results"]] == [approved.slug]
    project = body["results"][0]
    assert project["amount_cents"] == 250000
    assert project["received_cents"] == 0
    assert project["progress_percent"] == 0
    assert project["place"] == {"lat": 41.3735, "lng": 2.162}


def test_a_pending_project_is_hidden_from_strangers_but_shown_to_its_proposer(
    proposal: CommunityProject, client: Client, alice_client: Client, charlie_client: Client
) -> None:
    assert client.get(f"{URL}/{proposal.slug}").status_code == 404
    assert charlie_client.get(f"{URL}/{proposal.slug}").status_code == 404
    mine = alice_client.get(f"{URL}/{proposal.slug}")
    assert mine.status_code == 200
    assert mine.json()["status"] == "proposed"
    assert mine.json()["money"] == []


def test_a_member_proposes_through_the_api(bob_client: Client) -> None:
    response = bob_client.post(
        URL,
        {
            "name": "Fountains",
            "description": "Two fountains on the promenade.",
            "amount_cents": 250000,
            "place": {"lat": 41.38, "lng": 2.19},
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "proposed"
    assert CommunityProject.objects.get(slug="fountains").proposed_by is not None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "X", "description": "Y", "amount_cents": -5}, "amount_cents"),
        (
            {"name": "X", "description": "Y", "amount_cents": 5, "place": {"lat": 95, "lng": 2}},
            None,
        ),
    ],
)
def test_a_bad_proposal_is_a_400(bob_client: Client, payload: dict[str, Any], field: str) -> None:
    response = bob_client.post(URL, payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"]
    if field:
        assert field in response.json()["error"]["fields"]


def test_signing_in_is_needed_to_propose(client: Client) -> None:
    response = client.post(URL, {}, content_type="application/json")
    assert response.status_code == 401


def test_charlie_cannot_approve(proposal: CommunityProject, charlie_client: Client) -> None:
    ballot = make_ballot(passed=True)
    response = charlie_client.post(
        f"{URL}/{proposal.slug}/approve", {"ballot": ballot.pk}, content_type="application/json"
    )
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == ProjectStatus.PROPOSED


def test_the_board_needs_a_second_factor_to_approve(
    proposal: CommunityProject, board_client: Client, settings: Any
) -> None:
    settings.BOARD_MFA_REQUIRED = True
    response = board_client.post(
        f"{URL}/{proposal.slug}/approve",
        {"ballot": make_ballot(passed=True).pk},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"


def test_the_board_approves_with_the_ballot_then_the_project_is_public(
    proposal: CommunityProject, board_mfa_client: Client, client: Client, settings: Any
) -> None:
    settings.BOARD_MFA_REQUIRED = True
    pending = board_mfa_client.get(f"{URL}/pending")
    assert [p["slug"] for p in pending.json()] == [proposal.slug]
    ballot = make_ballot(passed=True)
    response = board_mfa_client.post(
        f"{URL}/{proposal.slug}/approve", {"ballot": ballot.pk}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["decision_ballot"] == ballot.pk
    assert client.get(f"{URL}/{proposal.slug}").status_code == 200
    again = board_mfa_client.post(
        f"{URL}/{proposal.slug}/approve", {"ballot": ballot.pk}, content_type="application/json"
    )
    assert again.status_code == 409


def test_approving_with_an_unknown_ballot_is_a_400(
    proposal: CommunityProject, board_mfa_client: Client
) -> None:
    response = board_mfa_client.post(
        f"{URL}/{proposal.slug}/approve", {"ballot": 999999}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "ballot" in response.json()["error"]["fields"]


def test_the_board_rejects_with_a_reason(
    proposal: CommunityProject, board_mfa_client: Client
) -> None:
    response = board_mfa_client.post(
        f"{URL}/{proposal.slug}/reject",
        {"reason": "Already funded by the district."},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"


def test_a_member_starts_a_gift_to_an_approved_project(
    approved: CommunityProject, bob_client: Client, fake_stripe: FakeStripe
) -> None:
    response = bob_client.post(
        f"{URL}/{approved.slug}/gifts", {"amount_cents": 1500}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["client_secret"]


@pytest.fixture
def proposal_other(bob: Any) -> CommunityProject:
    return CommunityProject.objects.create(slug="other", name="Other", proposed_by=bob)


def test_the_project_list_costs_the_same_with_many_projects_and_their_money(
    approved: CommunityProject, client: Client, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        project = CommunityProject.objects.create(
            slug=f"project-{n}",
            name=f"Project {n}",
            description="A neighbourhood need.",
            neighbourhood="Sants",
            amount_cents=10_000,
            status=ProjectStatus.APPROVED,
            proposed_by=approved.proposed_by,
        )
        ledger_post(
            entries=[
                (coop_account(AccountKind.CLEARING), Money(500, "EUR")),
                (coop_account(AccountKind.COMMUNITY_PROJECT, key=project.slug), Money(-500, "EUR")),
            ],
            cause=Cause(service="community", cause_type="test", cause_id=str(n)),
            description="A gift",
        )

    with django_assert_max_num_queries(4):
        body = client.get(URL, {"page_size": 20}).json()
    with django_assert_max_num_queries(4):
        page = client.get("/community/")

    assert page.status_code == 200
    received = {p["slug"]: p["received_cents"] for p in body["results"]}
    assert received["project-3"] == 500
    assert received[approved.slug] == 0
