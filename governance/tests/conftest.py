"""Fixtures for governance tests: ballots in each state and a board session that passed MFA."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from coop.members.models import User
from governance import services
from governance.models import Ballot, BallotKind

MFA_RECORDS_KEY = "account_authentication_methods"
MFA_USER_KEY = "account_authentication_methods_user"


def pass_mfa(client: Client, user: User) -> Client:
    """Record in the client's session that it signed in with a second factor (as allauth does)."""
    session = client.session
    session[MFA_RECORDS_KEY] = [
        {"method": "password", "at": time.time()},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session[MFA_USER_KEY] = str(user.pk)
    session.save()
    return client


@pytest.fixture
def board_mfa_client(board: User, board_client: Client) -> Client:
    return pass_mfa(board_client, board)


MakeBallot = Callable[..., Ballot]


@pytest.fixture
def make_ballot(board: User) -> MakeBallot:
    """An open ballot (the roll is frozen at creation) of the given kind."""

    def make(kind: str = BallotKind.YES_NO, **overrides: Any) -> Ballot:
        labels = overrides.pop("labels", None)
        if labels is None:
            labels = [] if kind == BallotKind.YES_NO else ["Red", "Green", "Blue"]
        options = [
            label if isinstance(label, services.OptionInput) else services.OptionInput(label)
            for label in labels
        ]
        now = timezone.now()
        fields: dict[str, Any] = {
            "title": f"A {kind} ballot",
            "kind": kind,
            "options": options,
            "opens_at": now,
            "closes_at": now + timedelta(days=3),
            "created_by": board,
        }
        fields.update(overrides)
        return services.ballot_create(**fields)

    return make
