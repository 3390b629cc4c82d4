"""Benchmark: coop.geo.radius_search against a brute-force scan, at 1k, 10k and 100k rows.

    .venv/bin/python bench/geo_search.py                     # SQLite in var/bench-geo.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coop_bench .venv/bin/python bench/geo_search.py

Members' homes are spread over Barcelona (the city's bounding box); each query asks for everyone
within 1 km of a random point in the city. The brute-force scan reads every row and computes every
geodesic distance, which is what the index and the bounding-box prefilter avoid.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coop.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "sqlite:///var/bench-geo.sqlite3")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from coop.geo.points import Point, distance_km  # noqa: E402
from coop.geo.search import radius_search  # noqa: E402
from coop.members.models import User  # noqa: E402

BARCELONA = (41.35, 41.45, 2.10, 2.22)  # south, north, west, east
RADIUS_KM = 1.0
SIZES = (1_000, 10_000, 100_000)


def random_point(rng: random.Random) -> Point:
    south, north, west, east = BARCELONA
    return Point(rng.uniform(south, north), rng.uniform(west, east))


def grow_to(size: int, rng: random.Random) -> None:
    existing = User.objects.count()
    batch = [
        User(
            email=f"bench{n}@bench.example",
            display_name=f"Bench {n}",
            home_lat=(p := random_point(rng)).lat,
            home_lng=p.lng,
        )
        for n in range(existing, size)
    ]
    User.objects.bulk_create(batch, batch_size=5_000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE members_user")


def brute_force(center: Point) -> int:
    found = 0
    for lat, lng in User.objects.values_list("home_lat", "home_lng").iterator(chunk_size=5_000):
        if (
            lat is not None
            and lng is not None
            and distance_km(center, Point(lat, lng)) <= RADIUS_KM
        ):
            found += 1
    return found


def timed(fn: Callable[[Point], int], centers: list[Point]) -> tuple[list[float], list[int]]:
    timings: list[float] = []
    counts: list[int] = []
    for center in centers:
        start = time.perf_counter()
        counts.append(fn(center))
        timings.append((time.perf_counter() - start) * 1000)
    return timings, counts


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    call_command("migrate", verbosity=0)
    User.objects.filter(email__endswith="@bench.example").delete()
    rng = random.Random(2026)
    print(f"database: {connection.vendor}; radius {RADIUS_KM} km; homes spread over Barcelona")
    print(
        "| rows | all in radius p50 ms | p95 ms | nearest 20 p50 ms | p95 ms "
        "| brute force p50 ms | p95 ms | p50 ratio (all) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in SIZES:
        grow_to(size, rng)
        centers = [random_point(rng) for _ in range(200)]
        indexed, indexed_counts = timed(
            lambda c: len(
                radius_search(
                    User.objects.only("id", "home_lat", "home_lng"),
                    center=c,
                    radius_km=RADIUS_KM,
                    lat_field="home_lat",
                    lng_field="home_lng",
                )
            ),
            centers,
        )
        nearest, _ = timed(
            lambda c: len(
                radius_search(
                    User.objects.only("id", "home_lat", "home_lng"),
                    center=c,
                    radius_km=RADIUS_KM,
                    lat_field="home_lat",
                    lng_field="home_lng",
                    limit=20,
                )
            ),
            centers,
        )
        brute_centers = centers[: max(3, 2_000_000 // size // 100)]
        brute, brute_counts = timed(brute_force, brute_centers)
        assert indexed_counts[: len(brute_counts)] == brute_counts, "results differ"
        p50, b50 = percentile(indexed, 0.5), percentile(brute, 0.5)
        print(
            f"| {size:,} | {p50:.2f} | {percentile(indexed, 0.95):.2f} | "
            f"{percentile(nearest, 0.5):.2f} | {percentile(nearest, 0.95):.2f} | {b50:.1f} | "
            f"{percentile(brute, 0.95):.1f} | {b50 / p50:.0f}x |"
        )
    User.objects.filter(email__endswith="@bench.example").delete()


if __name__ == "__main__":
    main()
