"""The governance JSON API against the contract."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from coop.members.models import User
from coop.members.tests.factories import MemberFactory
from governance.models import Ballot, BallotKind, Proposal, ProposalStatus
from governance.parameters import parameter_value
from governance.tests.conftest import MakeBallot

pytestmark = pytest.mark.django_db

API = "/api/v1/governance"


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"{API}{path}", body, content_type="application/json")


def _ballot_body(**overrides: Any) -> dict[str, Any]:
    now = timezone.now()
    body: dict[str, Any] = {
        "title": "Board election 2026",
        "kind": "ranked",
        "options": ["Ana", "Biel", "Carla", "Dani"],
        "seats": 2,
        "opens_at": now.isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
        "secret": True,
        "quorum_percent": 20,
        "pass_threshold": "simple_majority",
    }
    body.update(overrides)
    return body


def test_a_member_drafts_a_proposal_and_sponsors_put_it_to_a_ballot(
    alice_client: Client, alice: User
) -> None:
    response = _post(
        alice_client,
        "/proposals",
        {"title": "Longer loans", "text": "Let us lend for three weeks.", "kind": "general"},
    )
    assert response.status_code == 201
    proposal = response.json()
    assert proposal["status"] == "sponsoring"
    assert proposal["sponsors_needed"] == 5

    sponsors = MemberFactory.create_batch(5)
    for sponsor in sponsors:
        client = Client()
        client.force_login(sponsor)
        response = _post(client, f"/proposals/{proposal['id']}/sponsor", {})
        assert response.status_code == 200

    body = response.json()
    assert body["status"] == "scheduled"
    assert body["sponsors"] == 5
    ballot = alice_client.get(f"{API}/ballots/{body['ballot']}").json()
    assert ballot["kind"] == "yes_no"
    assert ballot["status"] == "open"
    assert ballot["proposal"] == proposal["id"]


def test_sponsoring_twice_or_ones_own_proposal_is_refused(
    alice_client: Client, bob_client: Client
) -> None:
    proposal = _post(
        alice_client, "/proposals", {"title": "T", "text": "Text", "kind": "general"}
    ).json()

    assert _post(bob_client, f"/proposals/{proposal['id']}/sponsor", {}).status_code == 200
    again = _post(bob_client, f"/proposals/{proposal['id']}/sponsor", {})
    own = _post(alice_client, f"/proposals/{proposal['id']}/sponsor", {})

    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_sponsored"
    assert own.status_code == 400
    assert own.json()["error"]["code"] == "own_proposal"


def test_an_applicant_cannot_draft_proposals(applicant: User) -> None:
    client = Client()
    client.force_login(applicant)

    response = _post(client, "/proposals", {"title": "T", "text": "x", "kind": "general"})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_member"


def test_a_parameter_change_proposal_is_validated_against_the_parameter(
    alice_client: Client,
) -> None:
    unknown = _post(
        alice_client,
        "/proposals",
        {
            "title": "T",
            "text": "x",
            "kind": "parameter_change",
            "parameter_key": "nope.nope",
            "parameter_value": 1,
        },
    )
    out_of_range = _post(
        alice_client,
        "/proposals",
        {
            "title": "T",
            "text": "x",
            "kind": "parameter_change",
            "parameter_key": "governance.max_proxies_per_member",
            "parameter_value": 99,
        },
    )

    assert unknown.status_code == 400
    assert "parameter_key" in unknown.json()["error"]["fields"]
    assert out_of_range.status_code == 400
    assert "parameter_value" in out_of_range.json()["error"]["fields"]


def test_a_passed_parameter_change_takes_effect_at_close_and_shows_its_decision(
    alice: User, alice_client: Client, bob_client: Client, board_mfa_client: Client
) -> None:
    proposal = _post(
        alice_client,
        "/proposals",
        {
            "title": "One proxy each",
            "text": "Fewer proxies per member.",
            "kind": "parameter_change",
            "parameter_key": "governance.max_proxies_per_member",
            "parameter_value": 1,
        },
    ).json()
    ballot = _post(
        board_mfa_client,
        "/ballots",
        _ballot_body(
            title="One proxy each",
            kind="yes_no",
            options=[],
            seats=1,
            proposal=proposal["id"],
            quorum_percent=0,
        ),
    ).json()
    assert (
        _post(alice_client, f"/ballots/{ballot['id']}/votes", {"choice": "yes"}).status_code == 201
    )
    assert _post(bob_client, f"/ballots/{ballot['id']}/votes", {"choice": "yes"}).status_code == 201
    assert parameter_value("governance.max_proxies_per_member") == 2

    closes = Ballot.objects.get(pk=ballot["id"]).closes_at
    with time_machine.travel(closes + timedelta(seconds=1)):
        result = alice_client.get(f"{API}/ballots/{ballot['id']}/result").json()

    assert result["status"] == "closed"
    assert result["outcome"]["passed"] is True
    assert parameter_value("governance.max_proxies_per_member") == 1
    assert Proposal.objects.get(pk=proposal["id"]).status == ProposalStatus.PASSED
    parameters = {p["key"]: p for p in Client().get(f"{API}/parameters").json()}
    changed = parameters["governance.max_proxies_per_member"]
    assert changed["value"] == 1
    assert changed["decision"]["proposal"] == proposal["id"]
    assert changed["decision"]["ballot"] == ballot["id"]
    assert parameters["governance.sponsor_threshold"]["decision"] is None


def test_a_rule_change_needs_two_thirds(alice_client: Client, board_mfa_client: Client) -> None:
    proposal = _post(
        alice_client, "/proposals", {"title": "New rule", "text": "x", "kind": "rule_change"}
    ).json()

    ballot = _post(
        board_mfa_client,
        "/ballots",
        _ballot_body(kind="yes_no", options=[], seats=1, proposal=proposal["id"]),
    ).json()

    assert ballot["pass_threshold"] == "two_thirds"


def test_only_the_board_schedules_ballots_and_only_after_mfa(
    charlie_client: Client, board: User, board_mfa_client: Client
) -> None:
    board_client = Client()
    board_client.force_login(board)
    refused = _post(charlie_client, "/ballots", _ballot_body())
    no_mfa = _post(board_client, "/ballots", _ballot_body())
    created = _post(board_mfa_client, "/ballots", _ballot_body())

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "board_only"
    assert no_mfa.status_code == 403
    assert no_mfa.json()["error"]["code"] == "mfa_required"
    assert created.status_code == 201
    body = created.json()
    assert body["method"] == "stv"
    assert [option["label"] for option in body["options"]] == ["Ana", "Biel", "Carla", "Dani"]
    assert body["tie_break_seed"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "plurality"}, "kind"),
        ({"options": ["Ana"]}, "options"),
        ({"options": ["Ana", "Ana", "Biel"]}, "options"),
        ({"seats": 4}, "seats"),
        ({"quorum_percent": 101}, "quorum_percent"),
        ({"pass_threshold": "most"}, "pass_threshold"),
        ({"kind": "budget", "budget_cents": 0}, "budget_cents"),
        ({"kind": "yes_no", "seats": 1}, "options"),
    ],
)
def test_bad_ballots_are_refused_with_the_field_named(
    board_mfa_client: Client, overrides: dict[str, Any], field: str
) -> None:
    response = _post(board_mfa_client, "/ballots", _ballot_body(**overrides))

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_ballot_must_close_after_it_opens(board_mfa_client: Client) -> None:
    now = timezone.now()
    response = _post(
        board_mfa_client,
        "/ballots",
        _ballot_body(
            opens_at=(now + timedelta(days=2)).isoformat(),
            closes_at=(now + timedelta(days=1)).isoformat(),
        ),
    )

    assert response.status_code == 400
    assert "closes_at" in response.json()["error"]["fields"]


def test_voting_returns_a_receipt_and_refuses_outsiders_and_late_votes(
    alice_client: Client, make_ballot: MakeBallot, applicant: User
) -> None:
    ballot = make_ballot(BallotKind.APPROVAL)
    ids = [option.pk for option in ballot.options.all()]
    outsider = Client()
    outsider.force_login(applicant)

    cast = _post(alice_client, f"/ballots/{ballot.pk}/votes", {"approvals": ids[:2]})
    not_eligible = _post(outsider, f"/ballots/{ballot.pk}/votes", {"approvals": ids[:1]})
    unknown = _post(alice_client, f"/ballots/{ballot.pk}/votes", {"approvals": [ids[0], 10**6]})
    with time_machine.travel(ballot.closes_at + timedelta(seconds=1)):
        late = _post(alice_client, f"/ballots/{ballot.pk}/votes", {"approvals": ids[:1]})

    assert cast.status_code == 201
    assert len(cast.json()["receipt"]) == 19
    assert not_eligible.status_code == 403
    assert not_eligible.json()["error"]["code"] == "not_eligible"
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == "invalid_vote"
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "ballot_closed"


def test_a_second_vote_without_the_receipt_is_a_conflict(
    alice_client: Client, make_ballot: MakeBallot
) -> None:
    ballot = make_ballot()
    first = _post(alice_client, f"/ballots/{ballot.pk}/votes", {"choice": "yes"}).json()

    again = _post(alice_client, f"/ballots/{ballot.pk}/votes", {"choice": "no"})
    changed = _post(
        alice_client, f"/ballots/{ballot.pk}/votes", {"choice": "no", "receipt": first["receipt"]}
    )

    assert again.status_code == 409
    assert again.json()["error"]["code"] == "receipt_required"
    assert changed.status_code == 201
    assert changed.json()["changed"] is True


def test_a_ranked_result_publishes_every_round_and_receipts_find_ballots(
    alice: User,
    alice_client: Client,
    bob_client: Client,
    charlie_client: Client,
    make_ballot: MakeBallot,
) -> None:
    ballot = make_ballot(BallotKind.RANKED, seats=2)
    red, green, blue = (option.pk for option in ballot.options.all())
    receipt = _post(alice_client, f"/ballots/{ballot.pk}/votes", {"ranking": [red, green]}).json()
    _post(bob_client, f"/ballots/{ballot.pk}/votes", {"ranking": [red, blue]})
    _post(charlie_client, f"/ballots/{ballot.pk}/votes", {"ranking": [green]})
    assert alice_client.get(f"{API}/ballots/{ballot.pk}/result").json()["status"] == "open"

    with time_machine.travel(ballot.closes_at + timedelta(seconds=1)):
        result = alice_client.get(f"{API}/ballots/{ballot.pk}/result").json()
        published = alice_client.get(
            f"{API}/ballots/{ballot.pk}/published", {"receipt": receipt["receipt"]}
        ).json()

    assert result["turnout"] == 3
    assert result["quorum_met"] is True
    assert result["outcome"]["method"] == "stv"
    assert result["rounds"][0]["action"] == "first_preferences"
    assert sorted(result["outcome"]["winners"]) == sorted([red, green])
    assert [row["content"] for row in published["results"]] == [{"ranking": [red, green]}]
    # A secret ballot publishes no names.
    assert published["results"][0]["member"] is None


def test_a_member_names_a_proxy_through_the_api(
    alice_client: Client, bob: User, bob_client: Client, alice: User, make_ballot: MakeBallot
) -> None:
    ballot = make_ballot()

    granted = _post(alice_client, f"/ballots/{ballot.pk}/proxy", {"holder": bob.pk})
    voted = _post(
        bob_client, f"/ballots/{ballot.pk}/votes", {"choice": "yes", "on_behalf_of": alice.pk}
    )

    assert granted.status_code == 201
    assert voted.status_code == 201
    assert voted.json()["by_proxy"] is True


def test_lists_cost_a_fixed_number_of_queries(
    alice: User, alice_client: Client, make_ballot: MakeBallot, django_assert_max_num_queries: Any
) -> None:
    for n in range(6):
        Proposal.objects.create(author=alice, title=f"P{n}", text="x", kind="general")
        make_ballot(BallotKind.APPROVAL, title=f"B{n}")

    with django_assert_max_num_queries(8):
        proposals = alice_client.get(f"{API}/proposals").json()
    with django_assert_max_num_queries(8):
        ballots = alice_client.get(f"{API}/ballots").json()
    with django_assert_max_num_queries(4):
        Client().get(f"{API}/parameters")

    assert len(proposals["results"]) == 6
    assert len(ballots["results"]) == 6


def test_reading_needs_a_session() -> None:
    assert Client().get(f"{API}/proposals").status_code == 401


def test_a_budget_ballot_funds_projects_in_order_of_support_while_money_lasts(
    alice_client: Client, bob_client: Client, board_mfa_client: Client
) -> None:
    ballot = _post(
        board_mfa_client,
        "/ballots",
        _ballot_body(
            title="Community fund",
            kind="budget",
            seats=1,
            budget_cents=100_000,
            options=[
                {"label": "Shade sails", "cost_cents": 80_000},
                {"label": "Cargo bike", "cost_cents": 50_000},
                {"label": "Tool kit", "cost_cents": 20_000},
            ],
            quorum_percent=0,
        ),
    ).json()
    sails, bike, kit = (option["id"] for option in ballot["options"])
    _post(alice_client, f"/ballots/{ballot['id']}/votes", {"approvals": [sails, bike]})
    _post(bob_client, f"/ballots/{ballot['id']}/votes", {"approvals": [sails, bike, kit]})

    closes = Ballot.objects.get(pk=ballot["id"]).closes_at
    with time_machine.travel(closes + timedelta(seconds=1)):
        result = alice_client.get(f"{API}/ballots/{ballot['id']}/result").json()

    # Sails and the bike tie on support (the lot orders them); the first funded leaves too
    # little for the other, and the cheaper tool kit still fits.
    winners = result["outcome"]["winners"]
    assert len(winners) == 2
    assert kit in winners
    assert result["outcome"]["spent_cents"] <= 100_000


def test_a_board_election_puts_the_elected_on_the_board(
    alice: User, bob: User, charlie: User, board: User, board_mfa_client: Client
) -> None:
    ballot = _post(
        board_mfa_client,
        "/ballots",
        _ballot_body(
            title="Board election",
            seats=2,
            elects_board=True,
            options=[
                {"label": "Alice", "candidate": alice.pk},
                {"label": "Bob", "candidate": bob.pk},
                {"label": "Charlie", "candidate": charlie.pk},
            ],
            quorum_percent=0,
        ),
    ).json()
    a, b, c = (option["id"] for option in ballot["options"])
    for voter, ranking in ((alice, [a, b]), (bob, [b, a]), (charlie, [a, c]), (board, [b, c])):
        client = Client()
        client.force_login(voter)
        assert (
            _post(client, f"/ballots/{ballot['id']}/votes", {"ranking": ranking}).status_code == 201
        )

    closes = Ballot.objects.get(pk=ballot["id"]).closes_at
    with time_machine.travel(closes + timedelta(seconds=1)):
        result = board_mfa_client.get(f"{API}/ballots/{ballot['id']}/result").json()

    assert sorted(result["outcome"]["winners"]) == sorted([a, b])
    assert set(User.objects.filter(is_board=True).values_list("pk", flat=True)) == {
        alice.pk,
        bob.pk,
    }


def test_a_board_election_needs_member_candidates(board_mfa_client: Client) -> None:
    response = _post(board_mfa_client, "/ballots", _ballot_body(elects_board=True))

    assert response.status_code == 400
    assert "elects_board" in response.json()["error"]["fields"]


def test_the_openapi_document_describes_the_governance_endpoints(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    for path in (
        "/api/v1/governance/proposals",
        "/api/v1/governance/proposals/{proposal_id}/sponsor",
        "/api/v1/governance/ballots",
        "/api/v1/governance/ballots/{ballot_id}",
        "/api/v1/governance/ballots/{ballot_id}/votes",
        "/api/v1/governance/ballots/{ballot_id}/result",
        "/api/v1/governance/parameters",
    ):
        assert path in paths
