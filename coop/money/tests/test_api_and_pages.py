"""The statement and board endpoints and pages; starting a share payment."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from coop.members.models import User
from coop.money.amounts import Money
from coop.money.ledger import Cause, coop_account, ledger_post, member_account
from coop.money.models import AccountKind, Payment, ShareRefundRequest
from frontend.testing import assert_accessible_page

EUR = "EUR"


@pytest.fixture(autouse=True)
def _no_mfa_for_board(settings: Any) -> None:
    # The board's second factor is governance's concern (tested there).
    settings.BOARD_MFA_REQUIRED = False


def _stays(host: User, *, times: int = 1) -> None:
    for _ in range(times):
        ledger_post(
            entries=[
                (coop_account(AccountKind.CLEARING), Money(10000, EUR)),
                (member_account(host, AccountKind.MEMBER_PAYABLE), Money(-8500, EUR)),
                (coop_account(AccountKind.FEE_REVENUE), Money(-1000, EUR)),
                (coop_account(AccountKind.COMMUNITY_PROJECT, key="bike-kitchen"), Money(-500, EUR)),
            ],
            cause=Cause(service="stays", member=host),
            description="Stay at Bob's",
        )


def test_my_statement_lists_my_entries_with_the_running_balance(
    bob: User, bob_client: Client, django_assert_max_num_queries: Any
) -> None:
    _stays(bob, times=3)
    with django_assert_max_num_queries(4):
        response = bob_client.get("/api/v1/coop/ledger?page_size=2")
    assert response.status_code == 200
    body = response.json()
    assert [line["balance_after_cents"] for line in body["results"]] == [25500, 17000]
    assert body["results"][0]["amount_cents"] == 8500
    assert body["results"][0]["currency"] == EUR
    assert body["results"][0]["service"] == "stays"
    assert body["next"] is not None
    assert bob_client.get(body["next"]).json()["results"][0]["balance_after_cents"] == 8500


def test_a_statement_shows_only_my_own_entries(bob: User, charlie_client: Client) -> None:
    _stays(bob)
    assert charlie_client.get("/api/v1/coop/ledger").json()["results"] == []


def test_the_statement_needs_a_login(client: Client, db: None) -> None:
    assert client.get("/api/v1/coop/ledger").status_code == 401


def test_the_board_sees_the_coops_accounts_income_and_fund(bob: User, board_client: Client) -> None:
    _stays(bob, times=2)
    body = board_client.get("/api/v1/coop/accounts").json()
    by_kind = {line["kind"]: line for line in body["accounts"] if line["key"] == ""}
    assert by_kind["fee_revenue"]["balance_cents"] == 2000
    assert by_kind["clearing"]["balance_cents"] == 20000
    assert body["monthly_income"][0]["service"] == "stays"
    assert body["monthly_income"][0]["amount_cents"] == 2000
    assert body["community_fund"][0]["key"] == "bike-kitchen"
    assert body["community_fund"][0]["balance_cents"] == 1000


def test_a_member_who_is_not_on_the_board_cannot_see_the_coops_accounts(
    charlie_client: Client,
) -> None:
    response = charlie_client.get("/api/v1/coop/accounts")
    assert response.status_code == 403
    assert charlie_client.get("/money/board/").status_code == 403


def test_a_member_cannot_start_another_share_payment(alice_client: Client) -> None:
    response = alice_client.post("/api/v1/payments/shares")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "share_already_paid"


@pytest.mark.slow
def test_an_applicant_starts_a_share_payment_and_gets_a_client_secret(
    stripe_local: str, applicant: User
) -> None:
    client = Client()
    client.force_login(applicant)
    response = client.post("/api/v1/payments/shares")
    assert response.status_code == 201
    body = response.json()
    assert body["client_secret"].startswith("pi_")
    assert body["amount_cents"] == 5000
    assert body["stripe_js_url"] == f"{stripe_local}/js.stripe.com/v3/"
    # Asking again resumes the same payment instead of creating a second one.
    assert client.post("/api/v1/payments/shares").json()["id"] == body["id"]
    assert Payment.objects.count() == 1


@pytest.mark.slow
def test_the_share_page_loads_stripe_from_the_configured_origin(
    stripe_local: str, applicant: User
) -> None:
    client = Client()
    client.force_login(applicant)
    html = client.get("/money/share/").content.decode()
    assert_accessible_page(html)
    response = client.post("/money/share/")
    html = response.content.decode()
    assert f'<script src="{stripe_local}/js.stripe.com/v3/"></script>' in html
    assert 'id="card-element"' in html


def test_the_statement_page_lists_entries(bob: User, bob_client: Client) -> None:
    _stays(bob)
    html = bob_client.get("/money/").content.decode()
    assert_accessible_page(html)
    assert "Stay at Bob" in html
    assert "€85.00" in html or "85.00" in html


def test_the_board_page_draws_the_income_chart(bob: User, board_client: Client) -> None:
    _stays(bob)
    html = board_client.get("/money/board/").content.decode()
    assert_accessible_page(html)
    assert "<svg" in html
    assert 'class="money-chart__bar money-chart__bar--stays"' in html
    assert "bike kitchen" in html.lower()


def test_a_member_without_a_platform_share_cannot_ask_for_a_refund(
    alice: User, alice_client: Client
) -> None:
    response = alice_client.post("/api/v1/payments/shares/refund-requests")
    assert response.status_code == 409
    assert not ShareRefundRequest.objects.exists()


def test_only_the_board_approves_share_refunds(charlie_client: Client, alice: User) -> None:
    request = ShareRefundRequest.objects.create(member=alice)
    response = charlie_client.post(f"/api/v1/payments/shares/refund-requests/{request.pk}/approve")
    assert response.status_code == 403


def test_the_localstripe_confirm_endpoint_does_not_exist_with_real_stripe(
    settings: Any, applicant: User
) -> None:
    settings.STRIPE_API_BASE = ""
    client = Client()
    client.force_login(applicant)
    response = client.post(
        "/api/v1/payments/1/localstripe-confirm", data={}, content_type="application/json"
    )
    assert response.status_code == 404


def test_the_payment_split_is_published_with_the_algorithms(client: Client, db: None) -> None:
    slugs = [algorithm["slug"] for algorithm in client.get("/api/v1/algorithms").json()]
    assert "money.payment_split" in slugs
