"""Benchmark: how long one event takes to reach 1,000 members' open websockets through Redis.

    createdb -h 127.0.0.1 -U postgres bench_g2
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_g2 REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/ws_fanout.py --clients 1000 --rounds 5

The script starts Daphne (`daphne coop.asgi:application`, DEBUG off, channels-redis) on a free
loopback port and connects `--clients` members over real sockets (the `websockets` package),
each signed in with its own session cookie. Two fan-outs, each timed from just before the
service call to the moment each client has the frame:

- turnout: every client watches the same ballot (`/ws/governance/ballots/<id>/`); one member
  votes through `governance.services.vote_cast`, whose commit sends one group message that
  channels-redis delivers to every socket in the group.
- announcement: every client has its notification socket open (`/ws/notifications/`); one
  transaction sends each member a notification (`notification_send`), so each socket gets its
  own message and the consumer reads that member's unread count before sending the frame.

Connect time is from opening the TCP connection to the first frame (the consumer has
authenticated the session and joined its group by then).
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchenv
import websockets

CONNECT_CONCURRENCY = 50
# Daphne drops a socket whose consumer has not accepted it within 5 s by default; on two shared
# cores a burst of 50 handshakes (each reading the session and the unread count) can take longer.
HANDSHAKE_TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_daphne(port: int) -> subprocess.Popen[bytes]:
    daphne = str(benchenv.ROOT / ".venv/bin/daphne")
    command = [daphne, "-v", "0", "-b", "127.0.0.1", "-p", str(port)]
    command += ["--websocket_connect_timeout", str(HANDSHAKE_TIMEOUT), "coop.asgi:application"]
    # Our own executable and arguments, no shell: nothing from outside reaches the command.
    server = subprocess.Popen(  # noqa: S603
        command,
        cwd=benchenv.ROOT,
        env=benchenv.bench_environ(),
    )
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("Daphne did not answer /healthz")


class Client:
    """One member's socket; records when each awaited frame arrived."""

    def __init__(self, url: str, session_key: str) -> None:
        self.url = url
        self.session_key = session_key
        self.connect_ms = 0.0
        self.socket: object = None
        self.arrivals: asyncio.Queue[tuple[float, dict[str, object]]] = asyncio.Queue()

    async def connect(self, port: int) -> None:
        import json  # noqa: PLC0415

        from websockets.asyncio.client import connect  # noqa: PLC0415

        began = time.perf_counter()
        ws = await connect(
            self.url,
            additional_headers={
                "Cookie": f"sessionid={self.session_key}",
                "Origin": f"http://127.0.0.1:{port}",
            },
            open_timeout=120,
            ping_interval=None,
            max_queue=None,
        )
        first = json.loads(await ws.recv())
        if first.get("type") not in {"unread_count", "turnout"}:
            raise SystemExit(f"Unexpected first frame: {first}")
        self.connect_ms = (time.perf_counter() - began) * 1000
        self.socket = ws

        async def listen() -> None:
            async for raw in ws:
                await self.arrivals.put((time.perf_counter(), json.loads(raw)))

        self._listener = asyncio.create_task(listen())

    async def close(self) -> None:
        self._listener.cancel()
        await self.socket.close()  # type: ignore[attr-defined]


async def connect_all(clients: Sequence[Client], port: int) -> float:
    limit = asyncio.Semaphore(CONNECT_CONCURRENCY)

    failures = 0

    async def one(client: Client) -> None:
        nonlocal failures
        async with limit:
            for _ in range(3):
                try:
                    await client.connect(port)
                    return
                except (OSError, websockets.exceptions.WebSocketException):
                    failures += 1
            raise SystemExit("A client could not connect three times in a row.")

    began = time.perf_counter()
    await asyncio.gather(*(one(client) for client in clients))
    if failures:
        print(f"{failures} handshakes failed and were retried", flush=True)
    return time.perf_counter() - began


async def fan_out(
    clients: Sequence[Client], frame_type: str, send: Callable[[], None]
) -> tuple[list[float], float]:
    """Run `send` (sync, in a thread); each client's delivery time and the call's time, in ms."""
    for client in clients:
        while not client.arrivals.empty():
            client.arrivals.get_nowait()
    sent_at = time.perf_counter()
    await asyncio.to_thread(send)
    call_ms = (time.perf_counter() - sent_at) * 1000

    async def arrival(client: Client) -> float:
        while True:
            at, frame = await asyncio.wait_for(client.arrivals.get(), timeout=120)
            if frame.get("type") == frame_type:
                return (at - sent_at) * 1000

    return list(await asyncio.gather(*(arrival(client) for client in clients))), call_ms


def describe(label: str, values: Sequence[float], call_ms: float | None = None) -> str:
    p = benchenv.percentile
    call = "" if call_ms is None else f"{call_ms:.0f}"
    return (
        f"| {label} | {len(values)} | {call} | {p(values, 0.5):.0f} | {p(values, 0.95):.0f} "
        f"| {max(values):.0f} |"
    )


def make_ballot() -> int:
    from django.utils import timezone  # noqa: PLC0415

    from governance.models import BallotKind  # noqa: PLC0415
    from governance.services import ballot_create  # noqa: PLC0415

    now = timezone.now()
    ballot = ballot_create(
        title="Bench: the general assembly's live vote",
        kind=BallotKind.YES_NO,
        options=[],
        opens_at=now,
        closes_at=now + timedelta(hours=2),
        created_by=None,
    )
    return ballot.pk


def vote(ballot_id: int, voter_id: int) -> Callable[[], None]:
    def send() -> None:
        from coop.members.models import User  # noqa: PLC0415
        from governance.models import Ballot  # noqa: PLC0415
        from governance.services import vote_cast  # noqa: PLC0415

        vote_cast(
            ballot=Ballot.objects.get(pk=ballot_id),
            voter=User.objects.get(pk=voter_id),
            content={"choice": "yes"},
        )

    return send


def announce(member_ids: Sequence[int], round_no: int) -> Callable[[], None]:
    def send() -> None:
        from django.db import transaction  # noqa: PLC0415

        from coop.members.models import User  # noqa: PLC0415
        from coop.notifications.services import notification_send  # noqa: PLC0415

        with transaction.atomic():
            for member in User.objects.filter(pk__in=member_ids):
                notification_send(
                    recipient=member,
                    kind="governance.assembly",
                    title=f"The general assembly starts in an hour (bench round {round_no})",
                    url="/governance/",
                )

    return send


async def measure(port: int, keys: Sequence[str], member_ids: Sequence[int], rounds: int) -> None:
    ballot_id = await asyncio.to_thread(make_ballot)
    base = f"ws://127.0.0.1:{port}"
    results: list[str] = []

    turnout = [Client(f"{base}/ws/governance/ballots/{ballot_id}/", key) for key in keys]
    seconds = await connect_all(turnout, port)
    connects = [client.connect_ms for client in turnout]
    results.append(describe(f"connect, {CONNECT_CONCURRENCY} at a time", connects))
    print(f"turnout sockets: {len(turnout)} connected in {seconds:.1f} s", flush=True)
    all_turnout: list[float] = []
    for n in range(rounds):
        times, call_ms = await fan_out(turnout, "turnout", vote(ballot_id, member_ids[n]))
        all_turnout.extend(times)
        results.append(describe(f"turnout round {n + 1}", times, call_ms))
    results.append(describe("turnout, all rounds", all_turnout))
    await asyncio.gather(*(client.close() for client in turnout))

    notify = [Client(f"{base}/ws/notifications/", key) for key in keys]
    seconds = await connect_all(notify, port)
    print(f"notification sockets: {len(notify)} connected in {seconds:.1f} s", flush=True)
    all_notify: list[float] = []
    for n in range(rounds):
        times, call_ms = await fan_out(notify, "notification", announce(member_ids, n + 1))
        all_notify.extend(times)
        results.append(describe(f"announcement round {n + 1}", times, call_ms))
    results.append(describe("announcement, all rounds", all_notify))
    await asyncio.gather(*(client.close() for client in notify))

    print(
        "\n| what | clients | service call ms | p50 ms | p95 ms | max ms |\n"
        "|---|---:|---:|---:|---:|---:|"
    )
    print("\n".join(results))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    benchenv.setup()
    benchenv.migrate()
    members = benchenv.members_ensure(args.clients, prefix="ws")
    keys = benchenv.session_keys(members)
    port = free_port()
    server = start_daphne(port)
    try:
        asyncio.run(measure(port, keys, [member.pk for member in members], args.rounds))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
