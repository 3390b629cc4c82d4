"""Production settings: the deploy checklist is clean and bad configuration fails loudly."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from coop.env import database_from_url, email_from_url

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "kq3v!e9x-production-like-secret-that-is-long-and-varied-8f2Lz0#Pw",
    "ALLOWED_HOSTS": "coop.example",
    "DATABASE_URL": "sqlite:///var/deploy-check.sqlite3",
    "EMAIL_URL": "smtp://mailer:pw@smtp.coop.example:587?tls=1",
}

pytestmark = pytest.mark.slow


def clean_environment() -> dict[str, str]:
    """Only what a process needs to start: the test settings have set variables of their own."""
    return {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = clean_environment()
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env, "DJANGO_SETTINGS_MODULE": "coop.settings"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_settings() -> None:
    result = manage("check", "--deploy", "--fail-level", "DEBUG", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL scheme 'mysql' is not supported"),
        ("EMAIL_URL", "pigeon://x", "EMAIL_URL scheme 'pigeon' is not supported"),
        ("SECURE_HSTS_SECONDS", "a year", "SECURE_HSTS_SECONDS='a year' is not an integer"),
    ],
)
def test_bad_configuration_stops_the_process_with_the_variable_named(
    name: str, value: str, message: str
) -> None:
    result = manage("check", env={**PRODUCTION_ENV, name: value})

    assert result.returncode != 0
    assert message in result.stderr


def test_the_live_updates_redis_pool_is_sized_from_the_environment() -> None:
    # The default pool of 100 refused connections under a burst of 1,000 sockets.
    script = (
        "from django.conf import settings; "
        "print(settings.CHANNEL_LAYERS['default']['CONFIG']['hosts'][0]['max_connections'])"
    )
    env = {**PRODUCTION_ENV, "REDIS_URL": "redis://127.0.0.1:6379/0"}

    default = manage("shell", "-c", script, env=env)
    sized = manage("shell", "-c", script, env={**env, "REDIS_MAX_CONNECTIONS": "2500"})

    assert default.stdout.split()[-1] == "1000", default.stderr
    assert sized.stdout.split()[-1] == "2500", sized.stderr


def test_gunicorn_with_uvicorn_workers_serves_the_production_app(tmp_path: Path) -> None:
    # README's production topology: plain HTTP on Gunicorn with Uvicorn workers.
    env = {**PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}"}
    assert manage("migrate", "--no-input", env=env).returncode == 0
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers=1",
            "--worker-class=uvicorn_worker.UvicornWorker",
            f"--bind=127.0.0.1:{port}",
            "coop.asgi:application",
        ],
        cwd=ROOT,
        env={**clean_environment(), **env, "DJANGO_SETTINGS_MODULE": "coop.settings"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/healthz", headers={"Host": "coop.example"}
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                    body = json.load(response)
                    headers = response.headers
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert body["checks"]["database"]["status"] == "ok"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_production_responses_carry_the_security_headers() -> None:
    script = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz', secure=True, HTTP_HOST='coop.example');"
        "print(r.status_code);"
        "print(r.headers.get('Strict-Transport-Security'));"
        "print(r.headers.get('Content-Security-Policy'));"
        "print(r.headers.get('X-Frame-Options'));"
        "print(Client().get('/', HTTP_HOST='coop.example').status_code)"
    )
    base = clean_environment()
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**base, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "coop.settings"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stderr
    assert lines[1] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in lines[2]
    assert "unsafe-inline" not in lines[2].split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in lines[2]
    assert lines[3] == "DENY"
    assert lines[4] == "301", "plain HTTP is redirected to HTTPS"


def test_database_urls_are_parsed_for_both_engines(tmp_path: Path) -> None:
    pg = database_from_url(
        "postgres://coop:s%40cret@db.internal:6432/coop?sslmode=require", base_dir=tmp_path
    )
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["NAME"], pg["USER"], pg["PASSWORD"]) == ("coop", "coop", "s@cret")
    assert (pg["HOST"], pg["PORT"], pg["OPTIONS"]) == (
        "db.internal",
        "6432",
        {"sslmode": "require"},
    )

    lite = database_from_url("sqlite:///var/x.sqlite3", base_dir=tmp_path)
    assert lite["NAME"] == str(tmp_path / "var" / "x.sqlite3")
    assert lite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_email_urls_are_parsed() -> None:
    smtp = email_from_url("smtp://mailer:pw@smtp.coop.example:587?tls=1")
    assert (smtp.host, smtp.port, smtp.user, smtp.use_tls) == (
        "smtp.coop.example",
        587,
        "mailer",
        True,
    )
    assert email_from_url("smtps://smtp.coop.example").port == 465
    assert email_from_url("console:").backend.endswith("console.EmailBackend")
