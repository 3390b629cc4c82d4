"""Benchmark: "things within 1 km of me" at 1k, 10k and 100k lending items, three ways.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_g1 .venv/bin/python bench/geo_search.py
    .venv/bin/python bench/geo_search.py          # SQLite (var/bench-geo.sqlite3), no PostGIS

1. the project's search (coop.geo.search.radius_search: a bounding box on the (lat, lng)
   B-tree index, then the exact geodesic distance in Python), all rows and the nearest 20;
2. a brute-force scan in Python: every row, every geodesic distance;
3. PostGIS: a geography column filled from the same latitude and longitude (a generated
   column), a GiST index, `ST_DWithin(geog, point, 1000)` ordered by `ST_Distance`.

Items are placed where generate_city.py puts homes (by district population, clustered around
neighbourhoods), and the searches start from such homes, so the density is a real city's. Each
size is measured in the same run; the script asserts that all three return the same items.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.geo_common import p50_p95, postgis_enable, ratio, setup, timed

setup("sqlite:///var/bench-geo.sqlite3")

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.bulk import analyze, insert_rows, next_ids, sequences_reset  # noqa: E402
from bench.generate_city import CityMap  # noqa: E402
from coop.geo.points import Point, distance_km  # noqa: E402
from coop.geo.search import radius_search  # noqa: E402
from lending.models import Item  # noqa: E402

RADIUS_KM = 1.0
SIZES: tuple[int, ...] = (1_000, 10_000, 100_000)
# Queries per size: a search at 100k rows takes seconds in Python (thousands of geodesic
# distances), so fewer there; brute force reads every row per query, so fewer still.
QUERIES = {1_000: 200, 10_000: 100, 100_000: 30}
MARK = "bench-geo"  # pickup_details of the benchmark's items, so a rerun starts clean
BRUTE_QUERIES = {1_000: 100, 10_000: 20, 100_000: 3}


def items_grow(size: int, city: CityMap) -> None:
    """Common-store items (no owner needed) placed where members live."""
    existing = Item.objects.filter(pickup_details=MARK).count()
    ids = next_ids(Item, size - existing)
    now = timezone.now()
    rows = []
    for item_id in ids:
        _, point = city.home()
        rows.append((item_id, None, True, "Bench item", MARK, point.lat, point.lng, now))
    insert_rows(
        Item,
        (
            "id",
            "owner",
            "is_common_store",
            "title",
            "pickup_details",
            "pickup_lat",
            "pickup_lng",
            "created_at",
        ),
        rows,
    )
    sequences_reset(Item)
    analyze()


def postgis_prepare() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE lending_item ADD COLUMN IF NOT EXISTS bench_geog geography(Point, 4326) "
            "GENERATED ALWAYS AS "
            "(ST_SetSRID(ST_MakePoint(pickup_lng, pickup_lat), 4326)::geography) STORED"
        )
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS bench_item_geog ON lending_item USING gist (bench_geog)"
        )


def project(center: Point, limit: int | None = None) -> list[int]:
    found = radius_search(
        Item.objects.filter(pickup_details=MARK).only("id", "pickup_lat", "pickup_lng"),
        center=center,
        radius_km=RADIUS_KM,
        lat_field="pickup_lat",
        lng_field="pickup_lng",
        limit=limit,
    )
    return [hit.obj.pk for hit in found]


def brute_force(center: Point) -> list[int]:
    found: list[tuple[float, int]] = []
    rows = Item.objects.filter(pickup_details=MARK).values_list("id", "pickup_lat", "pickup_lng")
    for pk, lat, lng in rows.iterator(chunk_size=5_000):
        distance = distance_km(center, Point(lat, lng))
        if distance <= RADIUS_KM:
            found.append((distance, pk))
    return [pk for _, pk in sorted(found)]


def postgis(center: Point, limit: int | None = None) -> list[int]:
    sql = (
        "SELECT id FROM lending_item WHERE pickup_details = %s "
        "AND ST_DWithin(bench_geog, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, %s) "
        "ORDER BY ST_Distance(bench_geog, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography), id"
    )
    params: list[str | float | int] = [
        MARK,
        center.lng,
        center.lat,
        RADIUS_KM * 1000,
        center.lng,
        center.lat,
    ]
    if limit is not None:
        sql += " LIMIT %s"
        params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def borderline(ids: set[int], center: Point) -> float:
    """How far from the radius (in metres) the items two methods disagree on lie."""
    points = Item.objects.filter(pk__in=ids).values_list("pickup_lat", "pickup_lng")
    return max(abs(distance_km(center, Point(lat, lng)) - RADIUS_KM) * 1000 for lat, lng in points)


def main() -> None:
    sizes = SIZES
    if len(sys.argv) > 1:  # e.g. `1000,10000` for a quick run
        sizes = tuple(int(n) for n in sys.argv[1].split(","))
    Item.objects.filter(pickup_details=MARK).delete()
    has_postgis = postgis_enable()
    if has_postgis:
        postgis_prepare()
    rng = random.Random(2026)
    city = CityMap(rng)
    print(f"database: {connection.vendor}; radius {RADIUS_KM:g} km; PostGIS: {has_postgis}")
    print(
        "| rows | avg found | project all p50 | p95 | project nearest 20 p50 | p95 "
        "| brute force p50 | p95 | PostGIS all p50 | p95 | PostGIS nearest 20 p50 | p95 "
        "| brute / project | project / PostGIS | same, nearest 20 |"
    )
    print("|---:" * 15 + "|")
    for size in sizes:
        items_grow(size, city)
        centers = [city.home()[1] for _ in range(QUERIES.get(size, 30))]
        mine, mine_found = timed(project, centers)
        nearest, nearest_found = timed(lambda c: project(c, 20), centers)
        brute_centers = centers[: BRUTE_QUERIES.get(size, 5)]
        brute, brute_found = timed(brute_force, brute_centers)
        assert mine_found[: len(brute_found)] == brute_found, "project and brute force differ"
        gis: list[float] = []
        gis_nearest: list[float] = []
        if has_postgis:
            gis, gis_found = timed(postgis, centers)
            gis_nearest, gis_nearest_found = timed(lambda c: postgis(c, 20), centers)
            for center, a, b in zip(centers, mine_found, gis_found, strict=True):
                if a != b:
                    off = borderline(set(a) ^ set(b), center) if set(a) != set(b) else 0.0
                    # Two implementations of the WGS-84 geodesic may round a point lying on the
                    # circle differently; anything else is a bug.
                    assert off < 0.001, f"PostGIS differs by {off} m from the radius at {center}"
            assert [set(x) for x in nearest_found] == [set(x) for x in gis_nearest_found]
        found = sum(len(x) for x in mine_found) / len(mine_found)
        cells = [
            f"{size:,}",
            f"{found:,.0f}",
            p50_p95(mine),
            p50_p95(nearest),
            p50_p95(brute),
            p50_p95(gis) if gis else "n/a | n/a",
            p50_p95(gis_nearest) if gis_nearest else "n/a | n/a",
            ratio(brute, mine),
            ratio(mine, gis),
            ratio(nearest, gis_nearest),
        ]
        print("| " + " | ".join(cells) + " |")
    Item.objects.filter(pickup_details=MARK).delete()


if __name__ == "__main__":
    main()
