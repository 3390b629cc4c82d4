"""Fixtures for money: a real localstripe on loopback, our app on a live server for its webhooks,
and signed events of our own (duplicates, reordered, stale, forged)."""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from django.db import transaction
from django.db.models.signals import post_save
from django.test import Client

from coop.money.models import StripeEvent, StripeEventStatus
from coop.money.webhooks import HANDLERS

WEBHOOK_PATH = "/api/v1/payments/stripe/webhook"
WEBHOOK_SECRET = "whsec_test_coop_money"
SECRET_KEY = "sk_test_coop_money"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def localstripe_url() -> Generator[str]:
    """Start localstripe on a free loopback port for the whole session (retrying the start)."""
    last_error: Exception | None = None
    for _attempt in range(3):
        port = _free_port()
        process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [sys.executable, "-m", "coop.money.localstripe_server", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and process.poll() is None:
            try:
                requests.get(f"{url}/v1/balance", auth=(SECRET_KEY, ""), timeout=1)
            except requests.RequestException as error:
                last_error = error
                time.sleep(0.1)
                continue
            try:
                yield url
            finally:
                process.terminate()
                process.wait(timeout=10)
            return
        process.kill()
        process.wait(timeout=10)
    raise RuntimeError(f"localstripe did not start: {last_error}")


def _send_webhooks_to(localstripe_url: str, url: str) -> None:
    data = {"url": url, "secret": WEBHOOK_SECRET}
    # Only what we handle: fewer deliveries racing the test thread for the test database.
    for index, event_type in enumerate(HANDLERS):
        data[f"events[{index}]"] = event_type
    response = requests.post(f"{localstripe_url}/_config/webhooks/coop-tests", data=data, timeout=5)
    response.raise_for_status()


# Nothing listens on the discard port: events sent there go nowhere.
NOWHERE = "http://127.0.0.1:9/"


@pytest.fixture
def stripe_local(settings: Any, localstripe_url: str) -> str:
    """Point the app at localstripe for this test (its webhooks go nowhere)."""
    settings.STRIPE_API_BASE = localstripe_url
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    _send_webhooks_to(localstripe_url, NOWHERE)
    return localstripe_url


@pytest.fixture
def stripe_webhooks(stripe_local: str, live_server: Any) -> Generator[str]:
    """localstripe posts its signed events to this test's live server (a real HTTP round trip)
    until the test ends; nothing late reaches the server while another test runs."""
    requests.delete(f"{stripe_local}/_config/data", timeout=5)
    _send_webhooks_to(stripe_local, live_server.url + WEBHOOK_PATH)
    try:
        yield str(live_server.url)
    finally:
        _send_webhooks_to(stripe_local, NOWHERE)


class Deliveries:
    """Events our live server has finished handling (committed), in order of arrival.

    Tests wait on this instead of polling the database: SQLite's shared in-memory test database
    refuses (rather than waits for) a read while the server thread writes.
    """

    def __init__(self) -> None:
        self._seen: queue.Queue[str] = queue.Queue()

    def on_saved(self, sender: Any, instance: StripeEvent, **kwargs: Any) -> None:
        if instance.status != StripeEventStatus.RECEIVED:
            transaction.on_commit(lambda: self._seen.put(instance.type))

    def wait(self, event_type: str, *, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                if self._seen.get(timeout=left) == event_type:
                    return
            except queue.Empty:
                break
        raise AssertionError(f"No {event_type} event arrived within {timeout}s.")


@pytest.fixture
def deliveries(stripe_webhooks: str) -> Generator[Deliveries]:
    watcher = Deliveries()
    post_save.connect(watcher.on_saved, sender=StripeEvent, dispatch_uid="money-test-deliveries")
    try:
        yield watcher
    finally:
        post_save.disconnect(sender=StripeEvent, dispatch_uid="money-test-deliveries")


def sign(payload: bytes, *, timestamp: int | None = None, secret: str = WEBHOOK_SECRET) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@dataclass
class EventPoster:
    client: Client

    def event(
        self,
        type_: str,
        obj: dict[str, Any],
        *,
        event_id: str | None = None,
        created: int | None = None,
    ) -> bytes:
        return json.dumps(
            {
                "id": event_id or f"evt_test_{uuid.uuid4().hex[:16]}",
                "object": "event",
                "type": type_,
                "created": int(time.time()) if created is None else created,
                "data": {"object": obj},
            }
        ).encode()

    def post(self, payload: bytes, *, signature: str | None = None) -> Any:
        return self.client.post(
            WEBHOOK_PATH,
            data=payload,
            content_type="application/json",
            headers={"Stripe-Signature": sign(payload) if signature is None else signature},
        )


@pytest.fixture
def events(settings: Any) -> EventPoster:
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return EventPoster(Client())
