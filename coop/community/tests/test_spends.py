"""The board records money paid out of a project: ledger, limits, audit, page and API."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from coop.community import selectors, services
from coop.community.exceptions import ProjectFundsTooLow, ProjectNotApproved
from coop.community.models import CommunityProject, ProjectSpend
from coop.exceptions import InvalidInput
from coop.members.models import User
from coop.money.amounts import Money
from coop.money.ledger import Cause, account_balance, coop_account, ledger_post, member_account
from coop.money.models import AccountKind
from frontend.testing import assert_accessible_page
from governance.exceptions import BoardOnly
from governance.models import AuditLogEntry

pytestmark = pytest.mark.django_db

EUR = "EUR"


@pytest.fixture
def no_board_mfa(settings: Any) -> None:
    settings.BOARD_MFA_REQUIRED = False


def fund(project: CommunityProject, cents: int) -> None:
    """Money in, as a confirmed gift books it: the co-op's bank -> the project's account."""
    ledger_post(
        entries=[
            (coop_account(AccountKind.CLEARING), Money(cents, EUR)),
            (coop_account(AccountKind.COMMUNITY_PROJECT, key=project.slug), Money(-cents, EUR)),
        ],
        cause=Cause.of("community", project),
        description="Gift from a member",
    )


def spend(project: CommunityProject, board: User, cents: int, **kwargs: Any) -> ProjectSpend:
    values: dict[str, Any] = {
        "payee": "Fusteria Sants SCCL",
        "purpose": "Wood for six raised beds",
        "spent_on": timezone.localdate(),
        "reference": "Invoice 2026-114",
        **kwargs,
    }
    return services.project_spend(
        board_member=board, request=None, project=project, amount=Money(cents, EUR), **values
    )


@pytest.mark.usefixtures("no_board_mfa")
def test_a_spend_to_a_supplier_moves_money_from_the_project_to_the_bank_and_is_audited(
    approved: CommunityProject, board: User
) -> None:
    fund(approved, 100_000)
    clearing_before = account_balance(coop_account(AccountKind.CLEARING)).cents

    row = spend(approved, board, 45_000)

    project_account = coop_account(AccountKind.COMMUNITY_PROJECT, key=approved.slug)
    assert account_balance(project_account) == Money(-55_000, EUR)
    clearing = account_balance(coop_account(AccountKind.CLEARING)).cents
    assert clearing == clearing_before - 45_000
    entries = sorted(row.ledger_transaction.entries.values_list("amount_cents", flat=True))
    assert entries == [-45_000, 45_000]
    assert row.ledger_transaction.created_by == board
    audit = AuditLogEntry.objects.get(action="community.project_spend")
    assert audit.details["amount_cents"] == 45_000
    assert audit.details["reference"] == "Invoice 2026-114"
    money = selectors.project_money(approved)
    assert (money.in_cents, money.out_cents, money.balance_cents) == (100_000, 45_000, 55_000)
    assert [line.amount_cents for line in money.lines] == [100_000, -45_000]
    assert "Fusteria Sants SCCL" in money.lines[1].description


@pytest.mark.usefixtures("no_board_mfa")
def test_a_reimbursed_member_is_owed_the_money_and_is_not_named_in_the_public_ledger(
    approved: CommunityProject, board: User, bob: User
) -> None:
    fund(approved, 10_000)
    row = spend(
        approved, board, 2_500, payee="Bob", payee_member=bob, spent_on=dt.date(2026, 11, 2)
    )

    assert account_balance(member_account(bob, AccountKind.MEMBER_PAYABLE)) == Money(-2_500, EUR)
    line = selectors.project_money(approved).lines[-1]
    assert "Bob" not in line.description
    assert "a member (reimbursed)" in line.description
    assert line.when == "2026-11-02"  # the day it was paid, not the day it was recorded
    assert row.payee_member == bob


@pytest.mark.usefixtures("no_board_mfa")
def test_a_spend_beyond_the_balance_is_refused_and_books_nothing(
    approved: CommunityProject, board: User
) -> None:
    fund(approved, 10_000)
    spend(approved, board, 6_000)
    with pytest.raises(ProjectFundsTooLow) as caught:
        spend(approved, board, 4_001)
    assert caught.value.code == "project_funds_too_low"
    assert caught.value.status == 409
    assert "€40.00" in caught.value.message
    assert ProjectSpend.objects.count() == 1
    spend(approved, board, 4_000)  # exactly to zero is fine
    assert selectors.project_money(approved).balance_cents == 0


@pytest.mark.usefixtures("no_board_mfa")
def test_a_project_that_is_not_approved_spends_nothing(
    proposal: CommunityProject, board: User
) -> None:
    with pytest.raises(ProjectNotApproved):
        spend(proposal, board, 100)


@pytest.mark.usefixtures("no_board_mfa")
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"payee": " "}, "payee"),
        ({"purpose": ""}, "purpose"),
        ({"reference": ""}, "reference"),
        ({"spent_on": dt.date(2999, 1, 1)}, "spent_on"),
    ],
)
def test_a_spend_needs_a_payee_a_purpose_a_receipt_and_a_past_date(
    approved: CommunityProject, board: User, change: dict[str, Any], field: str
) -> None:
    fund(approved, 10_000)
    with pytest.raises(InvalidInput) as caught:
        spend(approved, board, 1_000, **change)
    assert field in caught.value.fields


def test_charlie_cannot_spend_a_projects_money(approved: CommunityProject, charlie: User) -> None:
    fund(approved, 10_000)
    with pytest.raises(BoardOnly):
        spend(approved, charlie, 1_000)
    assert not ProjectSpend.objects.exists()


# --- API ---------------------------------------------------------------------------------------

SPEND = {
    "amount_cents": 3_000,
    "payee": "Ferreteria Hostafrancs",
    "purpose": "Hoses and taps",
    "spent_on": "2026-11-20",
    "reference": "Receipt 8841",
}


def test_the_board_records_a_spend_through_the_api_and_the_detail_lists_it(
    approved: CommunityProject, board_mfa_client: Client, client: Client
) -> None:
    fund(approved, 5_000)
    url = f"/api/v1/community/projects/{approved.slug}/spends"
    response = board_mfa_client.post(url, SPEND, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["reference"] == "Receipt 8841"

    detail = client.get(f"/api/v1/community/projects/{approved.slug}").json()
    assert (detail["received_cents"], detail["spent_cents"], detail["balance_cents"]) == (
        5_000, 3_000, 2_000,
    )  # fmt: skip
    assert detail["spends"][0]["payee"] == "Ferreteria Hostafrancs"
    assert [line["amount_cents"] for line in detail["money"]] == [5_000, -3_000]


def test_the_api_refuses_an_overdraft_with_its_code(
    approved: CommunityProject, board_mfa_client: Client
) -> None:
    fund(approved, 1_000)
    response = board_mfa_client.post(
        f"/api/v1/community/projects/{approved.slug}/spends",
        SPEND,
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "project_funds_too_low"


def test_charlie_and_an_unverified_board_session_are_refused_by_the_api(
    approved: CommunityProject, charlie_client: Client, board_client: Client
) -> None:
    fund(approved, 10_000)
    url = f"/api/v1/community/projects/{approved.slug}/spends"
    assert charlie_client.post(url, SPEND, content_type="application/json").status_code == 403
    no_mfa = board_client.post(url, SPEND, content_type="application/json")
    assert no_mfa.status_code in {401, 403}
    assert not ProjectSpend.objects.exists()


def test_an_unknown_payee_member_is_a_field_error(
    approved: CommunityProject, board_mfa_client: Client
) -> None:
    fund(approved, 10_000)
    response = board_mfa_client.post(
        f"/api/v1/community/projects/{approved.slug}/spends",
        {**SPEND, "payee_member": 999_999},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "payee_member" in response.json()["error"]["fields"]


# --- Pages -------------------------------------------------------------------------------------


def test_the_board_records_a_spend_from_the_page_and_the_public_page_shows_it(
    approved: CommunityProject, board_mfa_client: Client, client: Client
) -> None:
    fund(approved, 200_000)
    detail = board_mfa_client.get(f"/community/{approved.slug}/").content.decode()
    assert f"/community/{approved.slug}/spend/" in detail
    form = board_mfa_client.get(f"/community/{approved.slug}/spend/")
    assert form.status_code == 200
    assert_accessible_page(form.content.decode())

    response = board_mfa_client.post(
        f"/community/{approved.slug}/spend/",
        {
            "amount": "450.00", "payee": "Fusteria Sants SCCL", "purpose": "Raised beds",
            "spent_on": "2026-11-20", "reference": "Invoice 2026-114",
        },
    )  # fmt: skip
    assert response.status_code == 302

    public = client.get(f"/community/{approved.slug}/").content.decode()
    assert_accessible_page(public)
    assert "Raised beds: paid to Fusteria Sants SCCL (Invoice 2026-114)" in public
    assert "€450.00" in public
    assert "22% of the money received is spent" in public
    assert "/spend/" not in public


def test_an_overdraft_from_the_page_shows_on_the_amount_field(
    approved: CommunityProject, board_mfa_client: Client
) -> None:
    fund(approved, 1_000)
    response = board_mfa_client.post(
        f"/community/{approved.slug}/spend/",
        {
            "amount": "20.00", "payee": "X", "purpose": "Y", "spent_on": "2026-11-20",
            "reference": "Z",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "At most €10.00." in response.content.decode()
    assert not ProjectSpend.objects.exists()


def test_members_and_strangers_do_not_see_the_spend_form(
    approved: CommunityProject, alice_client: Client
) -> None:
    assert alice_client.get(f"/community/{approved.slug}/spend/").status_code == 404
    assert alice_client.post(f"/community/{approved.slug}/spend/", {}).status_code == 404


# --- Concurrency ---------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("no_board_mfa")
def test_spends_at_the_same_moment_never_take_a_project_below_zero(
    approved: CommunityProject, board: User
) -> None:
    fund(approved, 10_000)
    start = threading.Barrier(6)

    def attempt(_: int) -> str:
        try:
            start.wait()
            spend(approved, board, 3_000)
            return "spent"
        except ProjectFundsTooLow:
            return "refused"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = sorted(pool.map(attempt, range(6)))
    assert outcomes == ["refused"] * 3 + ["spent"] * 3
    assert selectors.project_money(approved).balance_cents == 1_000
