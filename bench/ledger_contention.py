"""Benchmark: timebank transfers and ledger postings per second under contention, invariants after.

    createdb -h 127.0.0.1 -U postgres bench_g2
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_g2 REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/ledger_contention.py --workers 1,2,4,8,16 --seconds 10

N worker processes (real parallelism, each with its own PostgreSQL connection) call the real
services for a fixed time:

- timebank: `timebank.services.transfer_create` between two random members (row locks on both
  time accounts, limit check, two movements, a notification for the payee);
- ledger: `coop.money.ledger.ledger_post` of a stay payment's split (clearing, host payable,
  co-op fee, community project), as the Stripe webhook books it; the host's payable account is
  locked, the co-op's busy accounts are append-only and not locked.

Each runs twice: "hot" (every worker fights over 4 members) and "spread" (200 members). After all
runs the script checks the invariants and exits 1 if one fails: `timebank_check` (balances equal
movements, hours sum to zero), `ledger_rollup` then `ledger_check` (every transaction sums to
zero, every cached balance is right), all entries sum to zero, and the rows written equal the
successes counted by the workers (nothing lost, nothing doubled).
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.synchronize import Barrier
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchenv

HOT_MEMBERS = 4
SPREAD_MEMBERS = 200


@dataclass
class WorkerResult:
    latencies_ms: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    warmup_ok: int = 0  # written before the clock started: counted for the invariants only


def _timebank_op(rng: random.Random, member_ids: list[int]) -> None:
    from coop.members.models import User  # noqa: PLC0415
    from timebank.services import transfer_create  # noqa: PLC0415

    payer_id, payee_id = rng.sample(member_ids, 2)
    transfer_create(
        payer=User.objects.get(pk=payer_id), to_member_id=payee_id, minutes=rng.choice((15, 30))
    )


def _ledger_op(rng: random.Random, member_ids: list[int]) -> None:
    from coop.members.models import User  # noqa: PLC0415
    from coop.money.amounts import Money, default_currency  # noqa: PLC0415
    from coop.money.ledger import Cause, coop_account, ledger_post, member_account  # noqa: PLC0415
    from coop.money.models import AccountKind  # noqa: PLC0415

    host = User.objects.get(pk=rng.choice(member_ids))
    total = rng.randrange(5_000, 50_000)
    fee = total // 10
    eur = default_currency()
    ledger_post(
        entries=[
            (coop_account(AccountKind.CLEARING), Money(total, eur)),
            (member_account(host, AccountKind.MEMBER_PAYABLE), Money(-(total - fee), eur)),
            (coop_account(AccountKind.FEE_REVENUE), Money(-(fee - fee // 2), eur)),
            (
                coop_account(AccountKind.COMMUNITY_PROJECT, key="bench-garden"),
                Money(-(fee // 2), eur),
            ),
        ],
        cause=Cause.of("bench"),
        description="Bench stay payment",
    )


OPS = {"timebank": _timebank_op, "ledger": _ledger_op}


def _worker(
    *,
    op_name: str,
    member_ids: list[int],
    seed: int,
    start: Barrier,
    seconds: float,
    results: multiprocessing.Queue[WorkerResult],
) -> None:
    benchenv.setup()
    from django.db import connection  # noqa: PLC0415

    from coop.exceptions import DomainError  # noqa: PLC0415

    op = OPS[op_name]
    rng = random.Random(seed)
    result = WorkerResult()
    # One untimed operation first: the first call pays for imports, the Redis connection and
    # the parameter cache, which a running server has long paid.
    try:
        op(rng, member_ids)
        result.warmup_ok = 1
    except DomainError:
        pass
    start.wait()  # all workers start together
    deadline = time.perf_counter() + seconds
    while (began := time.perf_counter()) < deadline:
        try:
            op(rng, member_ids)
            outcome = "ok"
        except DomainError as error:
            # Refusals are real outcomes (a balance at its floor, a lock not had in time).
            outcome = error.code
        result.latencies_ms.append((time.perf_counter() - began) * 1000)
        result.outcomes[outcome] += 1
    connection.close()
    results.put(result)


def run(op_name: str, member_ids: list[int], workers: int, seconds: float) -> WorkerResult:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(workers + 1)
    results: multiprocessing.Queue[WorkerResult] = context.Queue()
    processes = [
        context.Process(
            target=_worker,
            kwargs={
                "op_name": op_name,
                "member_ids": member_ids,
                "seed": n,
                "start": start,
                "seconds": seconds,
                "results": results,
            },
            daemon=True,
        )
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    start.wait(timeout=300)  # every worker has started Django and done its warm-up operation
    total = WorkerResult()
    for _ in processes:
        part = results.get(timeout=seconds + 120)
        total.latencies_ms.extend(part.latencies_ms)
        total.outcomes.update(part.outcomes)
        total.warmup_ok += part.warmup_ok
    for process in processes:
        process.join()
    return total


def _counts() -> dict[str, int]:
    from coop.money.models import LedgerTransaction  # noqa: PLC0415
    from timebank.models import Transfer  # noqa: PLC0415

    return {
        "timebank": Transfer.objects.count(),
        "ledger": LedgerTransaction.objects.filter(service="bench").count(),
    }


def check_invariants(expected_new: dict[str, int], before: dict[str, int]) -> list[str]:
    from django.core.management import CommandError, call_command  # noqa: PLC0415
    from django.db.models import Sum  # noqa: PLC0415

    from coop.money.ledger import ledger_rollup  # noqa: PLC0415
    from coop.money.models import Entry  # noqa: PLC0415
    from timebank.models import Movement  # noqa: PLC0415

    problems = []
    for command in ("timebank_check", "ledger_check"):
        if command == "ledger_check":
            ledger_rollup()
        try:
            call_command(command)
        except CommandError as error:
            problems.append(f"{command}: {error}")
    if (total := Movement.objects.aggregate(s=Sum("amount_minutes"))["s"] or 0) != 0:
        problems.append(f"timebank movements sum to {total} minutes")
    problems.extend(
        f"ledger entries in {row['currency']} sum to {row['s']} cents"
        for row in Entry.objects.values("currency").annotate(s=Sum("amount_cents"))
        if row["s"] != 0
    )
    after = _counts()
    for name, new in expected_new.items():
        if after[name] - before[name] != new:
            problems.append(
                f"{name}: workers counted {new} successes but {after[name] - before[name]} "
                "rows were written"
            )
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", default="1,2,4,8,16", help="comma-separated worker counts")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each run")
    parser.add_argument("--ops", default="timebank,ledger")
    args = parser.parse_args()
    benchenv.setup()
    benchenv.migrate()
    members = benchenv.members_ensure(SPREAD_MEMBERS, prefix="ledger")
    ids = [member.pk for member in members]
    pools = {"hot": ids[:HOT_MEMBERS], "spread": ids}
    before = _counts()
    successes: Counter[str] = Counter()

    print(
        "| service | members | workers | ops/s | ok | refused | p50 ms | p95 ms | max ms |\n"
        "|---|---|---:|---:|---:|---|---:|---:|---:|"
    )
    for op_name in args.ops.split(","):
        for pool_name, pool in pools.items():
            for workers in (int(n) for n in args.workers.split(",")):
                result = run(op_name, pool, workers, args.seconds)
                ok = result.outcomes.pop("ok", 0)
                successes[op_name] += ok + result.warmup_ok
                refused = ", ".join(f"{c} {n}" for c, n in result.outcomes.most_common()) or "0"
                lat = result.latencies_ms
                print(
                    f"| {op_name} | {pool_name} ({len(pool)}) | {workers} | "
                    f"{ok / args.seconds:.0f} | {ok} | {refused} | "
                    f"{benchenv.percentile(lat, 0.5):.1f} | {benchenv.percentile(lat, 0.95):.1f} "
                    f"| {max(lat, default=0):.1f} |",
                    flush=True,
                )
    problems = check_invariants(dict(successes), before)
    if problems:
        print("\nINVARIANTS BROKEN:\n" + "\n".join(problems))
        return 1
    print(
        "\nInvariants hold: timebank_check and ledger_check pass, hours and cents sum to zero, "
        "rows written equal successes counted."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
