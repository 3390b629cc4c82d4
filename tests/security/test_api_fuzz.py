"""Schemathesis against the API's own OpenAPI document, anonymous and as a signed-in member.

Every generated request must get a documented status (never a 500) and a body that matches
the schema. Requests go through Django's test handler in-process, inside the test's database
transaction, so the fuzzer sees the same app as the rest of the suite.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.test.client import ClientHandler
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from coop.api import api
from coop.members.models import User

# Hypothesis caches (constants, unicode tables) go to the temp folder, not `.hypothesis/` in the
# working tree; no example database is kept at all ("database": "none" below).
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "coop-hypothesis")

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261122,
        "generation": {"max-examples": 15, "deterministic": True, "database": "none"},
        # The coverage phase enumerates boundary values without a bound; examples plus fuzzing
        # already try boundaries and keep each operation's run predictable for CI.
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
    }
)

schema = schemathesis.openapi.from_dict(
    api.get_openapi_schema(path_prefix="/api/v1"), config=CONFIG
).exclude(
    # Stripe's webhook checks a signature over the raw body: fuzzed bodies test only that
    # check, which coop/money/tests covers with real signed events.
    path="/api/v1/payments/stripe/webhook",
)


def django_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """A WSGI app over Django's test handler, which keeps the test's DB connection open."""
    # Typed as the WSGI protocol's response; it is Django's HttpResponse (or a streaming one).
    response: Any = ClientHandler(enforce_csrf_checks=False)(environ)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    headers = list(response.items())
    headers += [("Set-Cookie", morsel.OutputString()) for morsel in response.cookies.values()]
    start_response(f"{response.status_code} {response.reason_phrase}", headers)
    return [content]


def session_cookie(user: User) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def call_and_validate(case: schemathesis.Case, cookies: dict[str, str] | None = None) -> None:
    # Each generated request is rolled back, so one example's writes (leaving the co-op, say)
    # never change what the next example meets.
    with transaction.atomic():
        response = case.call(app=django_app, cookies=cookies)
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS)


@pytest.mark.django_db
@schema.parametrize()
def test_anonymous_requests_get_documented_answers(case: schemathesis.Case) -> None:
    call_and_validate(case)


@schema.parametrize()
# charlie is created once per operation and shared by its examples, which the rollback allows.
@hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
def test_member_requests_get_documented_answers(case: schemathesis.Case, charlie: User) -> None:
    call_and_validate(case, cookies=session_cookie(charlie))
