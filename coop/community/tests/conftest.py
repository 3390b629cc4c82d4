"""Fixtures for the community fund: a proposal, a closed ballot that passed, a fake Stripe."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from coop.community.models import CommunityProject, ProjectStatus
from coop.community.services import project_propose
from coop.geo.points import Point
from coop.members.models import User
from coop.money.amounts import Money
from governance.models import Ballot, BallotKind, BallotStatus, Result
from governance.tests.conftest import pass_mfa
from stays.tests.conftest import FakeStripe, fake_stripe, zones

__all__ = ["FakeStripe", "fake_stripe", "zones"]


def make_ballot(*, passed: bool, status: str = BallotStatus.CLOSED) -> Ballot:
    """A members' yes/no ballot on a project, with its recorded result."""
    now = timezone.now()
    ballot = Ballot.objects.create(
        title="Fund the food gardens?",
        kind=BallotKind.YES_NO,
        opens_at=now - dt.timedelta(days=8),
        closes_at=now - dt.timedelta(days=1),
        status=status,
        tie_break_seed="0" * 64,
    )
    if status == BallotStatus.CLOSED:
        yes, no = (30, 10) if passed else (10, 30)
        Result.objects.create(
            ballot=ballot,
            eligible=50,
            turnout=40,
            quorum_met=True,
            outcome={"counts": {"yes": yes, "no": no}, "passed": passed},
        )
    return ballot


@pytest.fixture
def proposal(alice: User, board: User) -> CommunityProject:
    # `board` first, so the board is there to be told about the proposal.
    return project_propose(
        member=alice,
        name="Shade for the schoolyard",
        description="Sails and trees for a schoolyard that reaches 40 degrees.",
        neighbourhood="el Poble-sec",
        amount=Money(250000, "EUR"),
        place=Point(41.3735, 2.162),
    )


@pytest.fixture
def approved(proposal: CommunityProject, board: User) -> CommunityProject:
    CommunityProject.objects.filter(pk=proposal.pk).update(status=ProjectStatus.APPROVED)
    proposal.refresh_from_db()
    return proposal


@pytest.fixture
def board_mfa_client(board: User, board_client: Client) -> Client:
    return pass_mfa(board_client, board)
