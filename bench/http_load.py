"""Benchmark: requests per second and p95 latency of the main pages and API lists, Daphne against
Uvicorn workers under Gunicorn, with signed-in members, on PostgreSQL and Redis with DEBUG off.

    createdb -h 127.0.0.1 -U postgres bench_g2
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_g2 REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/http_load.py --scale 0.1 --workers 2 --users 16 --seconds 60

1. Fills the database with bench/generate_city.py at `--scale` unless it already holds a city.
2. Collects the static files (WhiteNoise serves them from the manifest, as in production).
3. Signs in `--members` of the city's members (one session each) and writes the plan that
   bench/locustfile.py reads.
4. For each server: starts it with `--workers` processes on loopback, runs locust headless for a
   short warm-up (discarded: first requests pay for imports, templates and caches) and then for
   `--seconds`, and prints one table row per page or API list from locust's CSV.

The servers:
- daphne: `--workers` Daphne processes (Daphne serves one process per port), each locust user
  talking to one of them, as several Daphne processes behind a proxy would be used.
- uvicorn: `gunicorn -k uvicorn_worker.UvicornWorker -w <workers> coop.asgi:application`, one
  port, the kernel spreading connections over the workers.
"""

from __future__ import annotations

import argparse
import csv
import json
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchenv

VENV_BIN = benchenv.ROOT / ".venv" / "bin"
OUT = benchenv.ROOT / "var" / "bench-http"
CITY_DOMAIN = "city.bench.example"  # bench/generate_city.py's members

# What a member reads most, by name as the tables show it. `{day}` is tomorrow, `{near}` the
# member's home.
PAGES = {
    "home": "/",
    "lending search": "/lending/?q=drill&radius_km=2",
    "stays search": "/stays/search/",
    "rides search": (
        "/rides/search/?origin=les-corts&destination=glories&day={day}"
        "&earliest=07:00&latest=10:00&seats=1"
    ),
    "timebank": "/timebank/",
    "governance proposals": "/governance/proposals/",
}
API_LISTS = {
    "api lending items near": "/api/v1/lending/items?near={near}&radius_km=2",
    "api stays listings": "/api/v1/stays/listings",
    "api rides offers": "/api/v1/rides/offers",
    "api timebank posts": "/api/v1/timebank/posts",
    "api governance proposals": "/api/v1/governance/proposals",
    "api notifications": "/api/v1/notifications",
    "api community projects": "/api/v1/community/projects",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_healthy(url: str, servers: list[subprocess.Popen[bytes]]) -> None:
    for _ in range(900):
        if any(server.poll() is not None for server in servers):
            raise SystemExit(f"A server exited before answering {url}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):  # noqa: S310 - loopback http
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"No answer from {url}/healthz")


def start_servers(kind: str, workers: int) -> tuple[list[subprocess.Popen[bytes]], list[str]]:
    env = benchenv.bench_environ()
    processes: list[subprocess.Popen[bytes]] = []
    urls: list[str] = []
    if kind == "daphne":
        for _ in range(workers):
            port = free_port()
            command = [str(VENV_BIN / "daphne"), "-v", "0", "-b", "127.0.0.1", "-p", str(port)]
            processes.append(
                subprocess.Popen(  # noqa: S603 - our executables, no shell
                    [*command, "coop.asgi:application"], cwd=benchenv.ROOT, env=env
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
    elif kind == "uvicorn":
        port = free_port()
        command = [
            str(VENV_BIN / "gunicorn"),
            "-k",
            "uvicorn_worker.UvicornWorker",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "coop.asgi:application",
        ]
        processes.append(subprocess.Popen(command, cwd=benchenv.ROOT, env=env))  # noqa: S603
        urls.append(f"http://127.0.0.1:{port}")
    else:
        raise SystemExit(f"Unknown server {kind!r}: daphne or uvicorn")
    for url in urls:
        wait_healthy(url, processes)
    return processes, urls


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=60)


def prepare(scale: float, member_count: int) -> dict[str, Any]:
    from django.core.management import call_command  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from coop.members.models import User  # noqa: PLC0415

    if not User.objects.filter(email__endswith=f"@{CITY_DOMAIN}").exists():
        print(f"generating the city at scale {scale} ...", flush=True)
        subprocess.run(  # noqa: S603 - our own script, no shell
            [str(VENV_BIN / "python"), "bench/generate_city.py", "--scale", str(scale)],
            cwd=benchenv.ROOT,
            env=benchenv.bench_environ(),
            check=True,
        )
    call_command("collectstatic", interactive=False, verbosity=0)
    members = list(
        User.objects.filter(email__endswith=f"@{CITY_DOMAIN}", home_lat__isnull=False).order_by(
            "pk"
        )[:member_count]
    )
    keys = benchenv.session_keys(members)
    return {
        "servers": [],
        "day": (timezone.localdate() + timedelta(days=1)).isoformat(),
        "members": [
            {"session": key, "near": f"{m.home_lat:.5f},{m.home_lng:.5f}"}
            for key, m in zip(keys, members, strict=True)
        ],
        "sizes": {
            "members": User.objects.count(),
            "lending items": _count("lending", "Item"),
            "stays listings": _count("stays", "Listing"),
            "ride offers": _count("rides", "Offer"),
            "timebank transfers": _count("timebank", "Transfer"),
        },
    }


def _count(app: str, model: str) -> int:
    from django.apps import apps  # noqa: PLC0415

    return int(apps.get_model(app, model).objects.count())


def profile(plan: dict[str, Any], repeats: int = 5) -> list[str]:
    """Each page and list rendered in this process as the first bench member, on the city's data:
    SQL queries per request and the median time of `repeats` warm requests (no server, no
    load), which separates what a page costs from what load adds."""
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    member = plan["members"][0]
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = member["session"]
    lines = [
        "| page or list | status | SQL queries | single request p50 ms |",
        "|---|---:|---:|---:|",
    ]
    for name, path in {**PAGES, **API_LISTS}.items():
        url = path.format(day=plan["day"], near=member["near"])
        client.get(url)
        timings = []
        for _ in range(repeats):
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - began) * 1000)
        p50 = benchenv.percentile(timings, 0.5)
        lines.append(f"| {name} | {response.status_code} | {len(queries)} | {p50:.0f} |")
    return lines


def run_locust(plan_path: Path, prefix: Path, users: int, seconds: float) -> list[dict[str, str]]:
    command = [
        str(VENV_BIN / "locust"),
        "-f",
        str(benchenv.ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{int(seconds)}s",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {**benchenv.bench_environ(), "BENCH_PLAN": str(plan_path)}
    # locust exits 1 when some requests failed; the table shows the failures instead.
    subprocess.run(  # noqa: S603 - our own executable, no shell
        command, cwd=benchenv.ROOT, env=env, check=False, stdout=subprocess.DEVNULL
    )
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        return list(csv.DictReader(stats))


def table(kind: str, workers: int, rows: list[dict[str, str]]) -> str:
    lines = []
    for row in rows:
        name = row["Name"]
        lines.append(
            f"| {kind} x{workers} | {name} | {int(row['Request Count'])} "
            f"| {int(row['Failure Count'])} | {float(row['Requests/s']):.1f} "
            f"| {row['50%']} | {row['95%']} | {row['99%']} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--servers", default="daphne,uvicorn", help="empty: only the profile")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--users", type=int, default=16, help="requests in flight")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=15)
    parser.add_argument("--scale", type=float, default=0.1, help="generate_city scale if empty")
    parser.add_argument("--members", type=int, default=200, help="signed-in members")
    args = parser.parse_args()
    benchenv.setup()
    benchenv.migrate()
    plan = prepare(args.scale, args.members)
    sizes = plan.pop("sizes")
    print("data: " + ", ".join(f"{n:,} {what}" for what, n in sizes.items()))
    print("\n".join(profile(plan)) + "\n", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    output = [
        "| server | page or list | requests | failures | req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in filter(None, args.servers.split(",")):
        processes, urls = start_servers(kind, args.workers)
        try:
            plan["servers"] = urls
            plan_path = OUT / f"plan-{kind}.json"
            plan_path.write_text(json.dumps(plan), encoding="utf-8")
            run_locust(plan_path, OUT / f"{kind}-warmup", args.users, args.warmup)
            rows = run_locust(plan_path, OUT / kind, args.users, args.seconds)
        finally:
            stop(processes)
        output.append(table(kind, args.workers, rows))
        print(output[-1], flush=True)
    print("\n" + "\n".join(output))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
