from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from coop.commons.demo import CITY_CLIENT_NAME
from coop.commons.models import CityClient, Consent, EventKind, WebhookEndpoint

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("demo_seed", "--demo-site", stdout=out)
    return out.getvalue()


def test_the_demo_city_reads_datasets_with_the_printed_token_and_has_a_webhook() -> None:
    output = _seed()
    lines = output.splitlines()
    token = lines[next(i for i, line in enumerate(lines) if "token (shown once)" in line) + 1]
    client = CityClient.objects.get(name=CITY_CLIENT_NAME)
    endpoint = WebhookEndpoint.objects.get(client=client)
    assert set(endpoint.events) == set(EventKind.values)
    assert endpoint.url.startswith("http://127.0.0.1:")  # never leaves the laptop

    response = Client().get(
        "/api/v1/city/datasets", headers={"Authorization": f"Bearer {token.strip()}"}
    )
    assert response.status_code == 200, response.content

    consents = Consent.objects.count()
    granted = Consent.objects.filter(granted=True).count()
    assert 0 < granted < consents
    again = _seed()
    assert "token" not in again
    assert (Consent.objects.count(), Consent.objects.filter(granted=True).count()) == (
        consents,
        granted,
    )
    assert WebhookEndpoint.objects.count() == 1
