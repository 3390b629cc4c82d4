"""What the load benchmarks share: production-like settings, bench members and their sessions.

The benchmarks run the product as production does (DEBUG off, PostgreSQL, Redis) on loopback
without TLS, so HTTPS redirects and HSTS are off and the session cookie is sent by hand (it is
marked Secure). Import this module before anything from Django.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_g2"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"

if TYPE_CHECKING:
    from coop.members.models import User

BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "coop.settings",
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdef",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_HSTS_SECONDS": "0",
    "EMAIL_URL": "locmem:",
    "DATABASE_URL": DEFAULT_DATABASE_URL,
    "REDIS_URL": DEFAULT_REDIS_URL,
    # Our own keys in the shared Redis: other runs' channel groups and caches stay apart.
    "REDIS_PREFIX": "bench_g2",
    "LOG_LEVEL": "WARNING",
    # Board pages would ask for a second factor that bench sessions do not have.
    "BOARD_MFA_REQUIRED": "0",
}


def bench_environ() -> dict[str, str]:
    """The environment for the servers and workers: BENCH_ENV under what the caller set."""
    return {**os.environ, **{k: v for k, v in BENCH_ENV.items() if k not in os.environ}}


def setup() -> None:
    """Set the bench environment in this process and start Django."""
    os.environ.update(bench_environ())
    if not os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        raise SystemExit("The load benchmarks measure PostgreSQL: set DATABASE_URL=postgres://...")
    sys.path.insert(0, str(ROOT))
    import django  # noqa: PLC0415

    django.setup()


def migrate() -> None:
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", verbosity=0, interactive=False)


def members_ensure(count: int, *, prefix: str = "bench") -> list[User]:
    """`count` members `<prefix>N@bench.example` living in Barcelona, created through the real
    service on first use (idempotent, so reruns reuse them)."""
    from coop.geo.points import Point  # noqa: PLC0415
    from coop.members.models import User  # noqa: PLC0415
    from coop.members.services import member_create  # noqa: PLC0415

    emails = [f"{prefix}{n}@bench.example" for n in range(count)]
    existing = {user.email: user for user in User.objects.filter(email__in=emails)}
    members = []
    for n, email in enumerate(emails):
        user = existing.get(email)
        if user is None:
            user = member_create(
                email=email,
                display_name=f"Bench {n}",
                home=Point(41.36 + (n % 97) * 0.0008, 2.12 + (n % 89) * 0.0009),
            )
        members.append(user)
    return members


def session_keys(users: Sequence[User]) -> list[str]:
    """A signed-in session for each user, as a login would store it (no password round trip)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: PLC0415
    from django.contrib.sessions.backends.db import SessionStore  # noqa: PLC0415

    keys = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        assert session.session_key is not None
        keys.append(session.session_key)
    return keys


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..1) of `values`."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]
