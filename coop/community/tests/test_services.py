"""Proposing, the board's decision after the members' ballot, and gifts to a project."""

from __future__ import annotations

import pytest

from coop.community import selectors, services
from coop.community.models import CommunityProject, ProjectStatus
from coop.community.tests.conftest import FakeStripe, make_ballot
from coop.exceptions import Conflict, InvalidInput, NotAllowed
from coop.members.models import User
from coop.money.amounts import Money
from coop.money.ledger import account_balance, coop_account
from coop.money.models import AccountKind, PaymentPurpose
from coop.notifications.models import Notification
from governance.exceptions import BoardOnly
from governance.models import AuditLogEntry, BallotStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_board_mfa")]


@pytest.fixture
def no_board_mfa(settings: pytest.FixtureRequest) -> None:
    # Services are called without a request here; the MFA guard has its own API test.
    settings.BOARD_MFA_REQUIRED = False  # type: ignore[attr-defined]


def test_a_member_proposes_a_project_that_waits_for_the_board(
    proposal: CommunityProject, board: User
) -> None:
    assert proposal.status == ProjectStatus.PROPOSED
    assert proposal.slug == "shade-for-the-schoolyard"
    assert proposal.place is not None
    assert proposal.place.lat == pytest.approx(41.3735)
    assert Notification.objects.filter(recipient=board, kind="community.project_proposed").exists()
    assert not selectors.projects_public().filter(pk=proposal.pk).exists()


def test_two_projects_with_the_same_name_get_different_slugs(alice: User, bob: User) -> None:
    first, second = (
        services.project_propose(
            member=member, name="Fountain", description="Water.", neighbourhood="",
            amount=Money(100, "EUR"), place=None,
        )
        for member in (alice, bob)
    )  # fmt: skip
    assert (first.slug, second.slug) == ("fountain", "fountain-2")


@pytest.mark.parametrize(
    ("name", "description", "cents", "field"),
    [
        ("", "Need.", 100, "name"),
        ("Name", " ", 100, "description"),
        ("Name", "Need.", 0, "amount_cents"),
    ],
)
def test_a_proposal_without_name_need_or_amount_is_refused(
    alice: User, name: str, description: str, cents: int, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.project_propose(
            member=alice, name=name, description=description, neighbourhood="",
            amount=Money(cents, "EUR"), place=None,
        )  # fmt: skip
    assert field in caught.value.fields


def test_an_applicant_cannot_propose(applicant: User) -> None:
    with pytest.raises(NotAllowed):
        services.project_propose(
            member=applicant, name="X", description="Y", neighbourhood="",
            amount=Money(100, "EUR"), place=None,
        )  # fmt: skip


def test_the_board_approves_after_a_ballot_that_passed_and_the_decision_is_recorded(
    proposal: CommunityProject, board: User, alice: User
) -> None:
    ballot = make_ballot(passed=True)
    project = services.project_approve(
        board_member=board, request=None, project=proposal, ballot=ballot
    )
    assert project.status == ProjectStatus.APPROVED
    assert project.decision_ballot == ballot
    assert project.decided_by == board
    entry = AuditLogEntry.objects.get(action="community.project_approve")
    assert entry.details["ballot"] == ballot.pk
    assert Notification.objects.filter(recipient=alice, kind="community.project_approved").exists()
    assert selectors.projects_public().filter(pk=project.pk).exists()


@pytest.mark.parametrize(
    ("passed", "status"), [(False, BallotStatus.CLOSED), (True, BallotStatus.OPEN)]
)
def test_a_ballot_that_failed_or_is_still_open_cannot_approve(
    proposal: CommunityProject, board: User, passed: bool, status: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.project_approve(
            board_member=board, request=None, project=proposal,
            ballot=make_ballot(passed=passed, status=status),
        )  # fmt: skip
    assert "ballot" in caught.value.fields
    proposal.refresh_from_db()
    assert proposal.status == ProjectStatus.PROPOSED


def test_charlie_cannot_approve_or_reject(proposal: CommunityProject, charlie: User) -> None:
    with pytest.raises(BoardOnly):
        services.project_approve(
            board_member=charlie, request=None, project=proposal, ballot=make_ballot(passed=True)
        )
    with pytest.raises(BoardOnly):
        services.project_reject(board_member=charlie, request=None, project=proposal, reason="No")
    proposal.refresh_from_db()
    assert proposal.status == ProjectStatus.PROPOSED


def test_a_decided_project_cannot_be_decided_again(proposal: CommunityProject, board: User) -> None:
    services.project_reject(
        board_member=board, request=None, project=proposal, reason="Not a neighbourhood need."
    )
    with pytest.raises(Conflict):
        services.project_approve(
            board_member=board, request=None, project=proposal, ballot=make_ballot(passed=True)
        )
    proposal.refresh_from_db()
    assert proposal.status == ProjectStatus.REJECTED
    assert proposal.decision_note == "Not a neighbourhood need."


def test_a_rejection_needs_a_reason(proposal: CommunityProject, board: User) -> None:
    with pytest.raises(InvalidInput):
        services.project_reject(board_member=board, request=None, project=proposal, reason=" ")


def test_a_confirmed_gift_lands_in_the_projects_account_and_on_its_page(
    approved: CommunityProject, bob: User, fake_stripe: FakeStripe
) -> None:
    payment = services.gift_start(member=bob, project=approved, amount=Money(2000, "EUR"))
    assert payment.purpose == PaymentPurpose.OTHER
    fake_stripe.confirm(payment)

    account = coop_account(AccountKind.COMMUNITY_PROJECT, key=approved.slug)
    money = selectors.project_money(approved)
    assert account_balance(account) == Money(-2000, "EUR")
    assert (money.in_cents, money.out_cents, money.balance_cents) == (2000, 0, 2000)
    assert selectors.progress_percent(approved, money) == 0  # 20 € of 2,500 €
    assert [line.amount_cents for line in money.lines] == [2000]
    # The public page says where the money came from, never who gave it.
    assert money.lines[0].description == "Gift from a member"
    assert bob.display_name not in money.lines[0].description


def test_gifts_to_an_unapproved_project_are_refused(
    proposal: CommunityProject, bob: User, fake_stripe: FakeStripe
) -> None:
    with pytest.raises(InvalidInput):
        services.gift_start(member=bob, project=proposal, amount=Money(2000, "EUR"))
