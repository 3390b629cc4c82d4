from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from coop.commons.models import (
    CityClient,
    DeliveryAttempt,
    DeliveryStatus,
    EventKind,
    WebhookDelivery,
    WebhookEndpoint,
)
from coop.commons.services import (
    MAX_ATTEMPTS,
    commons_event_publish,
    monthly_report_announce,
    webhook_deliveries_send,
    webhook_endpoint_register,
)


class CityServer:
    """A local stand-in for the city's endpoint: records requests, answers scripted statuses."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.received: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                server.received.append({"headers": dict(self.headers), "body": body})
                self.send_response(server.statuses.pop(0) if server.statuses else 200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks"


@pytest.fixture
def city_server() -> Iterator[CityServer]:
    server = CityServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()
    thread.join()


@pytest.fixture
def endpoint(city: tuple[CityClient, str], city_server: CityServer) -> WebhookEndpoint:
    return webhook_endpoint_register(
        client=city[0], url=city_server.url, events=[EventKind.LISTING_IN_REGULATED_ZONE]
    )


def _publish(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        commons_event_publish(
            kind=EventKind.LISTING_IN_REGULATED_ZONE, payload={"zone": "old-town"}
        )


def test_a_delivery_is_signed_with_the_endpoint_secret(
    endpoint: WebhookEndpoint, city_server: CityServer, django_capture_on_commit_callbacks: Any
) -> None:
    _publish(django_capture_on_commit_callbacks)

    (request,) = city_server.received
    headers, body = request["headers"], request["body"]
    expected = hmac.new(
        endpoint.secret.encode(),
        headers["X-Coop-Timestamp"].encode() + b"." + body,
        hashlib.sha256,
    ).hexdigest()
    assert hmac.compare_digest(headers["X-Coop-Signature"], f"sha256={expected}")
    assert headers["X-Coop-Event"] == "listing.regulated_zone"
    assert json.loads(body)["data"] == {"zone": "old-town"}
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert list(delivery.attempt_log.values_list("status_code", flat=True)) == [200]


def test_nothing_is_sent_before_the_transaction_commits(
    endpoint: WebhookEndpoint, city_server: CityServer, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        commons_event_publish(kind=EventKind.LISTING_IN_REGULATED_ZONE, payload={})
    assert city_server.received == []
    assert len(callbacks) == 1


def test_a_failing_endpoint_is_retried_with_exponential_backoff_and_logged(
    endpoint: WebhookEndpoint, city_server: CityServer, django_capture_on_commit_callbacks: Any
) -> None:
    city_server.statuses = [500, 503]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _publish(django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
        assert delivery.next_attempt_at == start + timedelta(minutes=1)

        # Not due yet: nothing is sent.
        clock.shift(timedelta(seconds=30))
        assert webhook_deliveries_send() == 0

        clock.shift(timedelta(seconds=30))
        assert webhook_deliveries_send() == 1
        delivery.refresh_from_db()
        assert delivery.attempts == 2
        assert delivery.next_attempt_at == timezone.now() + timedelta(minutes=2)

        clock.shift(timedelta(minutes=2))
        assert webhook_deliveries_send() == 1
        delivery.refresh_from_db()

    assert delivery.status == DeliveryStatus.DELIVERED
    assert list(DeliveryAttempt.objects.values_list("status_code", flat=True)) == [500, 503, 200]
    assert len(city_server.received) == 3


def test_an_unreachable_endpoint_is_given_up_after_the_last_attempt(
    city: tuple[CityClient, str], django_capture_on_commit_callbacks: Any
) -> None:
    # Nothing listens on port 9 of the loopback: the connection is refused at once.
    webhook_endpoint_register(
        client=city[0], url="http://127.0.0.1:9/", events=[EventKind.LISTING_NIGHT_CAP]
    )
    with time_machine.travel(timezone.now(), tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            commons_event_publish(kind=EventKind.LISTING_NIGHT_CAP, payload={})
        for _ in range(MAX_ATTEMPTS):
            clock.shift(timedelta(days=1))
            webhook_deliveries_send()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, MAX_ATTEMPTS)
    assert DeliveryAttempt.objects.filter(status_code=None).count() == MAX_ATTEMPTS
    assert DeliveryAttempt.objects.exclude(error="").count() == MAX_ATTEMPTS


def test_only_endpoints_subscribed_to_the_event_get_it(
    endpoint: WebhookEndpoint, city_server: CityServer, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        commons_event_publish(kind=EventKind.LISTING_NIGHT_CAP, payload={})
    assert not WebhookDelivery.objects.exists()
    assert city_server.received == []


def test_the_monthly_report_is_announced_once(
    city: tuple[CityClient, str], city_server: CityServer, django_capture_on_commit_callbacks: Any
) -> None:
    webhook_endpoint_register(
        client=city[0], url=city_server.url, events=[EventKind.MONTHLY_REPORT_READY]
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert monthly_report_announce(period="2026-03") is True
        assert monthly_report_announce(period="2026-03") is False
    (request,) = city_server.received
    assert json.loads(request["body"])["data"]["period"] == "2026-03"


def test_the_city_registers_an_endpoint_over_the_api(
    client: Client, city_headers: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/city/webhooks",
        {"url": "https://city.example/hooks", "events": ["report.monthly_ready"]},
        content_type="application/json",
        headers=city_headers,
    )
    assert response.status_code == 201
    assert len(response.json()["secret"]) == 64
    listed = client.get("/api/v1/city/webhooks", headers=city_headers).json()
    assert listed == [
        {
            "id": response.json()["id"],
            "url": "https://city.example/hooks",
            "events": ["report.monthly_ready"],
            "is_active": True,
        }
    ]


def test_it_refuses_an_unknown_event(client: Client, city_headers: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/city/webhooks",
        {"url": "https://city.example/hooks", "events": ["member.joined"]},
        content_type="application/json",
        headers=city_headers,
    )
    assert response.status_code == 400
    assert "events" in response.json()["error"]["fields"]
