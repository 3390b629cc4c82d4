"""django-allauth's pages (sign in, sign up, account management) in our layout."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoCaptureOnCommitCallbacks

from coop.members.models import MembershipStatus, User
from frontend.testing import assert_accessible_page, form_controls

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert_accessible_page(html)
    return html


def test_the_login_page_uses_our_layout_with_labelled_fields(client: Client) -> None:
    html = _page(client, reverse("account_login"))

    assert 'class="site-header"' in html
    assert 'class="auth-card"' in html
    assert form_controls(html) == ["login", "password", "remember"]
    assert '<label class="field__label" for="id_login">' in html
    assert 'class="button button--primary button--block button--large"' in html
    assert f'href="{reverse("account_reset_password")}"' in html


def test_the_signup_page_asks_for_email_password_name_and_language(client: Client) -> None:
    html = _page(client, reverse("account_signup"))

    assert 'class="auth-card"' in html
    assert sorted(form_controls(html)) == sorted(
        ["email", "password1", "password2", "display_name", "preferred_language"]
    )
    assert "How other members see you." in html


def test_a_failed_login_is_explained_in_an_alert(client: Client, alice: User) -> None:
    response = client.post(
        reverse("account_login"), {"login": alice.email, "password": "not the password"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="alert alert--error form-errors" role="alert"' in html
    assert "not correct" in html
    assert_accessible_page(html)


def test_signing_up_creates_an_applicant_and_asks_to_verify_the_email(
    client: Client, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "nuria@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "display_name": "Núria",
                "preferred_language": "ca",
            },
            follow=True,
        )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="auth-card"' in html
    assert "Verify Your Email Address" in html
    assert_accessible_page(html)
    user = User.objects.get(email="nuria@example.org")
    assert user.display_name == "Núria"
    assert user.preferred_language == "ca"
    assert user.membership_status == MembershipStatus.APPLICANT
    assert [message.to for message in mail.outbox] == [["nuria@example.org"]]


def test_signup_errors_appear_next_to_their_fields(client: Client) -> None:
    response = client.post(
        reverse("account_signup"),
        {
            "email": "not-an-email",
            "password1": PASSWORD,
            "password2": "different",
            "display_name": "",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_email_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'id="id_display_name_error"' in html
    assert_accessible_page(html)


def test_the_password_reset_page_uses_our_layout(client: Client) -> None:
    html = _page(client, reverse("account_reset_password"))

    assert 'class="auth-card"' in html
    assert form_controls(html) == ["email"]


@pytest.mark.parametrize(
    "url_name",
    ["account_email", "account_change_password", "mfa_index", "account_logout"],
)
def test_account_management_pages_use_our_layout(alice: User, url_name: str) -> None:
    html = _page(_client_for(alice), reverse(url_name))

    assert 'class="manage-nav"' in html
    assert 'class="manage-body"' in html
    assert 'aria-current="page"' in html or url_name == "account_logout"


def test_the_logout_page_signs_out_with_a_post(alice: User) -> None:
    client = _client_for(alice)
    html = _page(client, reverse("account_logout"))
    assert f'action="{reverse("account_logout")}"' in html

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_activating_an_authenticator_app_shows_the_qr_code_in_our_layout(alice: User) -> None:
    client = _client_for(alice)
    # allauth asks for the password again before security changes, on a page in our layout.
    reauthenticate = client.get(reverse("mfa_activate_totp"), follow=True)
    assert 'class="auth-card"' in reauthenticate.content.decode()
    assert_accessible_page(reauthenticate.content.decode())
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    response = client.get(reverse("mfa_activate_totp"))

    assert response.status_code == 200
    html = response.content.decode()
    assert_accessible_page(html)
    assert '<img src="data:image/svg+xml;base64,' in html
    assert 'class="qr"' in html
    assert "img-src 'self' data:" in response.headers["Content-Security-Policy"]
    assert 'class="manage-body"' in html
