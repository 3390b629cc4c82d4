"""Guessing passwords and mass sign-ups are slowed down (allauth's rate limits, in settings)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from coop.members.models import User

TOO_MANY = "Too many failed login attempts"


def test_login_is_refused_after_repeated_wrong_passwords(alice: User) -> None:
    client = Client()
    answers = [
        client.post(
            reverse("account_login"), {"login": alice.email, "password": f"guess {attempt}"}
        )
        for attempt in range(8)
    ]

    assert TOO_MANY not in answers[0].content.decode(), "a first mistake just shows the form"
    # settings.ACCOUNT_RATE_LIMITS["login_failed"]: 5 failures per address in 5 minutes.
    assert all(TOO_MANY in answer.content.decode() for answer in answers[5:])


def test_the_right_password_is_refused_too_once_the_limit_is_reached(alice: User) -> None:
    client = Client()
    for attempt in range(6):
        client.post(reverse("account_login"), {"login": alice.email, "password": f"x{attempt}"})

    response = client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})

    assert TOO_MANY in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_same_password_works_before_any_limit(alice: User) -> None:
    response = Client().post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})

    assert response.status_code == 302


def test_sign_up_is_refused_with_429_after_many_attempts_from_one_address(db: None) -> None:
    client = Client()
    statuses = [
        client.post(
            reverse("account_signup"),
            {
                "email": f"newcomer{attempt}@example.org",
                "password1": "a long and unusual passphrase 42",
                "password2": "a long and unusual passphrase 42",
                "display_name": f"Newcomer {attempt}",
            },
        ).status_code
        for attempt in range(25)
    ]

    assert 429 in statuses
    assert all(status == 429 for status in statuses[statuses.index(429) :])
