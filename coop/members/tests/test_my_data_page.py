"""The page for a member's own data: download it, or leave the co-op after confirming."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client

from coop.members.models import MembershipStatus, User
from coop.money.amounts import Money
from coop.money.ledger import Cause, coop_account, ledger_post, member_account
from coop.money.models import AccountKind
from frontend.testing import assert_accessible_page

pytestmark = pytest.mark.django_db

URL = "/members/me/data/"
PASSWORD = "correct horse battery staple"


def test_the_page_says_in_plain_words_what_leaving_does(alice_client: Client) -> None:
    response = alice_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert_accessible_page(html)
    assert "cannot be undone" in html
    assert "Former member" in html
    assert 'name="confirm_email"' in html
    assert 'name="password"' in html
    assert "/members/me/data/export/" in html


def test_the_privacy_page_links_to_it(alice_client: Client) -> None:
    assert URL in alice_client.get("/commons/privacy/").content.decode()


def test_the_download_is_the_api_export_as_a_file(alice: User, alice_client: Client) -> None:
    response = alice_client.get(f"{URL}export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="coop-my-data-')
    downloaded = json.loads(response.content)
    assert downloaded == alice_client.get("/api/v1/me/export").json()
    assert downloaded["profile"]["email"] == "alice@example.org"


def test_a_wrong_email_or_password_leaves_nothing_changed(
    alice: User, alice_client: Client
) -> None:
    response = alice_client.post(URL, {"confirm_email": "bob@example.org", "password": PASSWORD})
    assert response.status_code == 200
    assert "not the email address of your account" in response.content.decode()
    response = alice_client.post(URL, {"confirm_email": "ALICE@example.org", "password": "nope"})
    assert "not your password" in response.content.decode()
    alice.refresh_from_db()
    assert alice.is_active
    assert alice.display_name == "Alice"


def test_a_member_leaves_from_the_page_and_is_anonymised_and_signed_out(
    alice: User, alice_client: Client
) -> None:
    response = alice_client.post(
        URL, {"confirm_email": " Alice@Example.org ", "password": PASSWORD}
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.display_name == "Former member"
    assert not alice.is_active
    assert alice.membership_status == MembershipStatus.LEFT
    assert alice_client.get(URL).status_code == 302  # signed out: sent to sign in
    call_command("ledger_check")


def test_open_obligations_are_listed_instead_of_the_form_and_a_post_is_refused(
    alice: User, alice_client: Client
) -> None:
    ledger_post(
        entries=[
            (coop_account(AccountKind.FEE_REVENUE), Money(500, "EUR")),
            (member_account(alice, AccountKind.MEMBER_PAYABLE), Money(-500, "EUR")),
        ],
        cause=Cause.of("tests", member=alice),
        description="A refund owed",
    )
    page = alice_client.get(URL).content.decode()
    assert "You can leave once these are settled" in page
    assert 'name="confirm_email"' not in page

    response = alice_client.post(URL, {"confirm_email": alice.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "account holds" in response.content.decode()
    alice.refresh_from_db()
    assert alice.is_active


def test_leaving_needs_the_csrf_token(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(URL, {"confirm_email": alice.email, "password": PASSWORD})
    assert response.status_code == 403
    alice.refresh_from_db()
    assert alice.is_active


def test_an_account_without_a_password_confirms_with_the_email_alone(
    alice: User, alice_client: Client
) -> None:
    alice.set_unusable_password()
    alice.save(update_fields=["password"])
    alice_client.force_login(alice)  # a new password hash ends the old session
    assert 'name="password"' not in alice_client.get(URL).content.decode()
    assert alice_client.post(URL, {"confirm_email": alice.email}).status_code == 302
    alice.refresh_from_db()
    assert not alice.is_active


def test_an_anonymous_visitor_is_sent_to_sign_in(client: Client) -> None:
    assert "login" in client.get(URL)["Location"]
    assert "login" in client.get(f"{URL}export/")["Location"]
    assert "login" in client.post(URL, {})["Location"]
