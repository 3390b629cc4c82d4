"""The governance pages: entry page, proposals, the ballot paper, results and the board desk."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coop.members.models import User
from coop.members.tests.factories import MemberFactory
from frontend.testing import assert_accessible_page
from governance import services
from governance.models import Ballot, BallotKind, Proposal, ProposalStatus
from governance.tests.conftest import MakeBallot

pytestmark = pytest.mark.django_db


def _page(client: Client, url: str, **params: Any) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert_accessible_page(html)
    return html


def test_the_entry_page_shows_open_ballots_proposals_and_live_parameters(
    alice: User, alice_client: Client, make_ballot: MakeBallot
) -> None:
    ballot = make_ballot(title="Choose the summer fair date")
    proposal = services.proposal_create(
        author=alice, title="Repair café every month", text="Let us.", kind="general"
    )
    services.parameter_set(key="governance.ballot_days", value=10, note="Founding assembly")

    html = _page(alice_client, reverse("governance:index"))

    assert "Choose the summer fair date" in html
    assert reverse("governance:ballot_detail", args=[ballot.pk]) in html
    assert proposal.title in html
    assert "governance.sponsor_threshold" in html
    assert "Founding assembly" in html
    assert "The co-op is building the pages" not in html


def test_visitors_see_the_rules_and_parameters_but_no_ballots(client: Client) -> None:
    html = _page(client, reverse("governance:index"))

    assert "Live platform parameters" in html
    assert "Open ballots" not in html


def test_a_member_writes_a_proposal_and_another_sponsors_it(
    alice_client: Client, bob_client: Client
) -> None:
    _page(alice_client, reverse("governance:proposal_new"))
    response = alice_client.post(
        reverse("governance:proposal_new"),
        {"title": "Tool library in Gràcia", "text": "A second library.", "kind": "general"},
    )
    proposal = Proposal.objects.get(title="Tool library in Gràcia")
    assert response.status_code == 302

    bob_client.post(reverse("governance:proposal_sponsor", args=[proposal.pk]))
    bob_client.post(
        reverse("governance:proposal_comment", args=[proposal.pk]), {"text": "Yes please!"}
    )
    html = _page(bob_client, reverse("governance:proposal_detail", args=[proposal.pk]))

    assert "You sponsor this proposal" in html
    assert "Yes please!" in html
    assert "Tool library in Gràcia" in _page(alice_client, reverse("governance:proposal_list"))


def test_a_bad_parameter_change_is_shown_on_the_form(alice_client: Client) -> None:
    response = alice_client.post(
        reverse("governance:proposal_new"),
        {
            "title": "Zero sponsors",
            "text": "x",
            "kind": "parameter_change",
            "parameter_key": "governance.sponsor_threshold",
            "parameter_value": "0",
        },
    )

    assert response.status_code == 200
    assert "between 1 and 1000" in response.content.decode()


def test_voting_on_a_phone_with_numbered_ranks_gives_a_receipt(
    alice_client: Client, make_ballot: MakeBallot
) -> None:
    ballot = make_ballot(BallotKind.RANKED)
    red, green, blue = (option.pk for option in ballot.options.all())
    url = reverse("governance:ballot_detail", args=[ballot.pk])
    html = _page(alice_client, url)
    assert f'name="rank_{red}"' in html

    response = alice_client.post(
        url, {f"rank_{green}": "1", f"rank_{red}": "2", f"rank_{blue}": ""}
    )

    html = response.content.decode()
    assert_accessible_page(html)
    assert "Your vote is cast" in html
    receipt = re.search(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}", html)
    assert receipt is not None
    with time_machine.travel(ballot.closes_at + timedelta(seconds=1)):
        result = _page(
            alice_client,
            reverse("governance:ballot_result", args=[ballot.pk]),
            receipt=receipt.group(0),
        )
    assert "Found and counted" in result
    assert "Every counting round" not in result  # one seat: Schulze, no rounds
    assert "Pairwise contests won" in result


def test_two_equal_ranks_are_refused_on_the_form(
    alice_client: Client, make_ballot: MakeBallot
) -> None:
    ballot = make_ballot(BallotKind.RANKED)
    red, green, _ = (option.pk for option in ballot.options.all())

    response = alice_client.post(
        reverse("governance:ballot_detail", args=[ballot.pk]),
        {f"rank_{green}": "1", f"rank_{red}": "1"},
    )

    assert "Give each rank to one option only." in response.content.decode()


def test_stv_results_show_every_round(
    alice: User, bob: User, charlie: User, make_ballot: MakeBallot, alice_client: Client
) -> None:
    ballot = make_ballot(BallotKind.RANKED, seats=2, labels=["Ana", "Biel", "Carla"])
    a, b, c = (option.pk for option in ballot.options.all())
    for voter, ranking in ((alice, [a, b]), (bob, [a, c]), (charlie, [b])):
        services.vote_cast(ballot=ballot, voter=voter, content={"ranking": ranking})

    with time_machine.travel(ballot.closes_at + timedelta(seconds=1)):
        html = _page(alice_client, reverse("governance:ballot_result", args=[ballot.pk]))

    assert "Every counting round" in html
    assert "first preferences" in html
    assert "<meter" in html


def test_the_board_desk_schedules_a_budget_ballot(
    board_mfa_client: Client, make_ballot: MakeBallot
) -> None:
    make_ballot(title="Already running")
    html = _page(board_mfa_client, reverse("governance:board"))
    assert "Already running" in html
    now = timezone.localtime()

    response = board_mfa_client.post(
        reverse("governance:board"),
        {
            "title": "Community fund 2026",
            "kind": "budget",
            "options": "Garden | 1500.00\nBike repair kit | 400\n",
            "seats": "1",
            "max_approvals": "0",
            "budget": "1800",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "quorum_percent": "10",
            "pass_threshold": "simple_majority",
            "secret": "on",
            "allow_vote_change": "on",
        },
    )

    assert response.status_code == 302
    ballot = Ballot.objects.get(title="Community fund 2026")
    assert ballot.budget_cents == 180_000
    assert [o.cost_cents for o in ballot.options.all()] == [150_000, 40_000]


def test_the_board_desk_refuses_members_and_board_sessions_without_mfa(
    charlie_client: Client, board: User
) -> None:
    board_client = Client()
    board_client.force_login(board)

    assert charlie_client.get(reverse("governance:board")).status_code == 403
    assert board_client.get(reverse("governance:board")).status_code == 403


def test_a_member_names_a_proxy_by_member_number(
    alice_client: Client, bob: User, make_ballot: MakeBallot
) -> None:
    ballot = make_ballot()

    alice_client.post(
        reverse("governance:ballot_proxy", args=[ballot.pk]), {"holder": str(bob.member_number)}
    )

    assert ballot.proxies.filter(holder=bob).exists()


def test_pages_cost_a_fixed_number_of_queries(
    alice: User, alice_client: Client, make_ballot: MakeBallot, django_assert_max_num_queries: Any
) -> None:
    for n in range(5):
        make_ballot(title=f"Ballot {n}")
        Proposal.objects.create(author=alice, title=f"P{n}", text="x", kind="general")
    MemberFactory.create_batch(3)

    with django_assert_max_num_queries(12):
        alice_client.get(reverse("governance:index"))
    with django_assert_max_num_queries(8):
        alice_client.get(reverse("governance:proposal_list"))


def test_a_sponsored_proposal_reaches_its_ballot_page(
    alice: User, make_ballot: MakeBallot, alice_client: Client
) -> None:
    proposal = services.proposal_create(author=alice, title="T", text="x", kind="general")
    for sponsor in MemberFactory.create_batch(5):
        services.proposal_sponsor(proposal=proposal, member=sponsor)
    proposal.refresh_from_db()

    assert proposal.status == ProposalStatus.SCHEDULED
    html = _page(alice_client, reverse("governance:proposal_detail", args=[proposal.pk]))
    ballot = proposal.ballots.get()
    assert reverse("governance:ballot_detail", args=[ballot.pk]) in html


def test_the_board_publishes_a_due_result_without_waiting_for_the_job(
    board_mfa_client: Client, alice: User, make_ballot: MakeBallot
) -> None:
    ballot = make_ballot()
    services.vote_cast(ballot=ballot, voter=alice, content={"choice": "yes"})

    with time_machine.travel(ballot.closes_at + timedelta(seconds=1)):
        desk = _page(board_mfa_client, reverse("governance:board"))
        response = board_mfa_client.post(reverse("governance:board_publish", args=[ballot.pk]))

    assert "Count and publish" in desk
    assert response.status_code == 302
    ballot.refresh_from_db()
    assert ballot.status == "closed"
    assert ballot.result.outcome["passed"] is True


@pytest.mark.parametrize("kind", [BallotKind.YES_NO, BallotKind.APPROVAL, BallotKind.BUDGET])
def test_every_kind_of_ballot_paper_and_result_page_renders_accessibly(
    alice: User, alice_client: Client, make_ballot: MakeBallot, kind: str
) -> None:
    extra: dict[str, Any] = {}
    if kind == BallotKind.BUDGET:
        extra = {
            "budget_cents": 10_000,
            "labels": [services.OptionInput("Garden", 6_000), services.OptionInput("Kit", 5_000)],
        }
    ballot = make_ballot(kind, **extra)
    html = _page(alice_client, reverse("governance:ballot_detail", args=[ballot.pk]))
    assert "Cast my vote" in html
    first = ballot.options.first()
    content: dict[str, Any] = {"choice": "yes"} if first is None else {"approvals": [first.pk]}
    services.vote_cast(ballot=ballot, voter=alice, content=content)

    with time_machine.travel(ballot.closes_at + timedelta(seconds=1)):
        result = _page(alice_client, reverse("governance:ballot_result", args=[ballot.pk]))

    assert "<meter" in result
    if kind == BallotKind.BUDGET:
        assert "How the budget was shared out" in result
