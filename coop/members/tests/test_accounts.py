from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail
from django.test import Client

from coop.members.models import MembershipStatus, User

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "marta@example.org",
    "password1": "a long enough passphrase 42",
    "password2": "a long enough passphrase 42",
    "display_name": "Marta",
    "preferred_language": "ca",
}


def sign_up(client: Client, capture: Any, **changes: str) -> Any:
    with capture(execute=True):
        return client.post("/accounts/signup/", {**SIGNUP, **changes})


def confirmation_link() -> str:
    assert len(mail.outbox) == 1
    match = re.search(
        r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", str(mail.outbox[0].body)
    )
    assert match, mail.outbox[0].body
    return match.group(1)


def test_sign_up_sends_a_verification_email_and_creates_an_applicant(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    response = sign_up(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="marta@example.org")
    assert user.display_name == "Marta"
    assert user.preferred_language == "ca"
    assert user.membership_status == MembershipStatus.APPLICANT
    assert user.member_number is None
    assert not EmailAddress.objects.get(user=user).verified
    assert mail.outbox[0].to == ["marta@example.org"]


def test_an_unverified_address_cannot_log_in(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    sign_up(client, django_capture_on_commit_callbacks)
    client.logout()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/login/", {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
        )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session


def test_following_the_emailed_link_verifies_and_signs_in(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    sign_up(client, django_capture_on_commit_callbacks)
    link = confirmation_link()

    response = client.post(link)

    assert response.status_code == 302
    user = User.objects.get(email="marta@example.org")
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/api/v1/me").json()["email"] == "marta@example.org"


def test_signing_up_with_a_taken_email_reveals_nothing_but_warns_the_owner(
    client: Client, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    # Nobody can probe which addresses are members: the page looks like a normal sign-up,
    # and the owner of the address is told by email instead.
    response = sign_up(client, django_capture_on_commit_callbacks, email="ALICE@example.org")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert User.objects.count() == 1
    assert mail.outbox[0].to == ["alice@example.org"]
    assert "already" in mail.outbox[0].body.lower()


def test_sign_up_refuses_a_weak_password(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    response = sign_up(client, django_capture_on_commit_callbacks, password1="123", password2="123")
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not User.objects.exists()
    assert mail.outbox == []


def test_sign_up_needs_a_name(client: Client, django_capture_on_commit_callbacks: Any) -> None:
    response = sign_up(client, django_capture_on_commit_callbacks, display_name="   ")

    assert response.status_code == 200
    assert "display_name" in response.context["form"].errors
    assert not User.objects.exists()


def test_a_verified_member_logs_in_with_email_and_password(client: Client, alice: User) -> None:
    response = client.post(
        "/accounts/login/",
        {"login": "Alice@Example.org", "password": "correct horse battery staple"},
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def login_errors(client: Client, email: str, password: str) -> list[str]:
    response = client.post("/accounts/login/", {"login": email, "password": password})
    if response.status_code == 302:
        return []
    return list(response.context["form"].non_field_errors())


def test_repeated_failed_logins_for_one_address_are_rate_limited(
    client: Client, alice: User
) -> None:
    for _ in range(5):
        assert "not correct" in " ".join(login_errors(client, alice.email, "wrong"))

    errors = login_errors(client, alice.email, "wrong")
    assert "too many failed login attempts" in " ".join(errors).lower()
    # Even the right password is refused while the limit holds, from any browser.
    errors = login_errors(Client(), alice.email, "correct horse battery staple")
    assert "too many failed login attempts" in " ".join(errors).lower()
    assert "_auth_user_id" not in client.session


def test_too_many_login_requests_from_one_address_answer_429(client: Client) -> None:
    statuses = {
        client.post("/accounts/login/", {"login": f"n{i}@example.org", "password": "x"}).status_code
        for i in range(31)
    }

    assert 429 in statuses


def test_password_reset_mails_a_working_link(
    client: Client, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": alice.email})
    assert response.status_code == 302
    link = re.search(
        r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", str(mail.outbox[0].body)
    )
    assert link

    form_page = client.get(link.group(1), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
        {"password1": "brand new passphrase 7", "password2": "brand new passphrase 7"},
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("brand new passphrase 7")


def test_every_member_can_turn_on_an_authenticator_app_and_recovery_codes(
    client: Client, alice: User
) -> None:
    password = "correct horse battery staple"
    client.post("/accounts/login/", {"login": alice.email, "password": password})
    # Security changes ask for the password again first.
    response = client.get("/accounts/2fa/totp/activate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    client.post(response["Location"], {"password": password})

    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    counter = next(iter(yield_hotp_counters_from_time()))
    code = format_hotp_value(hotp_value(secret, counter))
    response = client.post("/accounts/2fa/totp/activate/", {"code": code})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.RECOVERY_CODES).exists()
    # From now on a password alone is not enough to sign in.
    other = Client()
    response = other.post("/accounts/login/", {"login": alice.email, "password": password})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in other.session


def test_changing_email_takes_effect_once_the_new_address_is_verified(
    client: Client, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    client.post(
        "/accounts/login/", {"login": alice.email, "password": "correct horse battery staple"}
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/email/", {"action_add": "", "email": "alice.new@example.org"}
        )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.email == "alice@example.org", "unchanged until verified"
    assert mail.outbox[-1].to == ["alice.new@example.org"]
    link = re.search(r"(/accounts/confirm-email/[^\s]+/)", str(mail.outbox[-1].body))
    assert link

    client.post(link.group(1))

    alice.refresh_from_db()
    assert alice.email == "alice.new@example.org"
    assert EmailAddress.objects.get(user=alice, primary=True).email == "alice.new@example.org"
