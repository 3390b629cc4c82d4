"""What the geographic benchmarks (geo_search.py, ride_matching.py) share: Django set-up, PostGIS
in the bench database, timing and percentiles.

PostGIS is only ever added to the benchmark's own database: the product does not use it (see
coop/geo/search.py), and these benchmarks are how we check that choice at a city's scale.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent

T = TypeVar("T")
R = TypeVar("R")


def setup(default_database: str) -> None:
    """Start Django on DATABASE_URL (or `default_database`), with the project importable."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coop.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DATABASE_URL", default_database)
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", verbosity=0)


def postgis_enable() -> bool:
    """Create the PostGIS extension in this (benchmark) database; False on SQLite."""
    from django.db import connection  # noqa: PLC0415

    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    return True


def timed(fn: Callable[[T], R], inputs: Sequence[T]) -> tuple[list[float], list[R]]:
    """Milliseconds of each call and its result."""
    timings: list[float] = []
    results: list[R] = []
    for value in inputs:
        start = time.perf_counter()
        results.append(fn(value))
        timings.append((time.perf_counter() - start) * 1000)
    return timings, results


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..1)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def p50_p95(values: Sequence[float]) -> str:
    return f"{percentile(values, 0.5):.2f} | {percentile(values, 0.95):.2f}"


def ratio(slow: Sequence[float], fast: Sequence[float]) -> str:
    if not slow or not fast:
        return "n/a"
    return f"{percentile(slow, 0.5) / percentile(fast, 0.5):.1f}x"
