"""Benchmark: matching a passenger's trip with 1k, 10k and 100k ride offers over a month.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_g1 .venv/bin/python bench/ride_matching.py

Three ways to find the offers a passenger can take, each followed by the same detour check
(rides.matching, the published algorithm), so only the candidate search differs:

1. the project's (rides.selectors.offer_matches): the departure window and each offer's stored
   reach box on a B-tree index (status, departs_at, reach latitudes);
2. brute force: read every offer, keep those in the window in Python, detour-check them all;
3. PostGIS: each offer's reach as a geography polygon (its route buffered by the same reach
   margin the box uses), a GiST index over (departure, reach), `ST_DWithin(reach, origin, walk)`
   and the same for the destination, with the departure window in SQL.

Offers are drawn as generate_city.py draws them (drivers' homes by district population, trips
to workplaces at commuting hours over 30 days). Half of the searches are near an existing offer's
route (people search where rides are), half go from a random home to a random workplace, each in
a two-hour window. The script asserts that the three ways find the same matches and scores.
"""

from __future__ import annotations

import random
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.geo_common import p50_p95, postgis_enable, ratio, setup, timed

setup("postgres://postgres@127.0.0.1:5432/bench_g1")

from django.db import connection  # noqa: E402
from django.db.models import BooleanField, QuerySet  # noqa: E402
from django.db.models.expressions import RawSQL  # noqa: E402

from bench.bulk import analyze  # noqa: E402
from bench.generate_city import DOMAIN, CityGenerator, CityMap, Sizes  # noqa: E402
from coop.geo.points import Point  # noqa: E402
from coop.members.models import User  # noqa: E402
from rides import matching  # noqa: E402
from rides.models import Offer, TripStatus  # noqa: E402
from rides.selectors import (  # noqa: E402
    matching_settings,
    offer_candidates,
    offer_matches,
    offer_route,
)

SIZES: tuple[int, ...] = (1_000, 10_000, 100_000)
QUERIES = 100
BRUTE_QUERIES = {1_000: 50, 10_000: 20, 100_000: 3}
WINDOW = timedelta(hours=2)
DRIVERS = 4_000

Search = tuple[Point, Point, datetime, datetime]
Found = list[tuple[int, float]]


def reach_prepare() -> None:
    """The reach of each offer as a geography polygon, for offers that have none yet."""
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE rides_offer ADD COLUMN IF NOT EXISTS bench_reach geography(Polygon, 4326)"
        )
        # One GiST over the departure time and the reach (btree_gist), so both narrow the scan:
        # on the reach alone, city-wide routes overlap every point and the window is a filter.
        cursor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS bench_offer_time_reach ON rides_offer "
            "USING gist (departs_at, bench_reach)"
        )
        cursor.execute("DROP INDEX IF EXISTS bench_offer_reach")
        cursor.execute("SELECT id FROM rides_offer WHERE bench_reach IS NULL")
        missing = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS bench_reach_in "
            "(id bigint PRIMARY KEY, route text, margin_m float8)"
        )
        cursor.execute("TRUNCATE bench_reach_in")
        road_factor = matching_settings().road_factor
        rows = []
        for offer in Offer.objects.filter(pk__in=missing):
            route = offer.route
            margin = matching.reach_margin_km(route, offer.max_detour_km, road_factor)
            line = ", ".join(f"{p.lng} {p.lat}" for p in route)
            # The buffer is a polygon inscribed in the true rounded outline (8 segments a
            # quarter circle, at most 0.5 % inside it): 1 % more keeps it a superset.
            rows.append((offer.pk, f"SRID=4326;LINESTRING({line})", margin * 1010))
        with cursor.cursor.copy("COPY bench_reach_in (id, route, margin_m) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            "UPDATE rides_offer o "
            "SET bench_reach = ST_Buffer(ST_GeogFromText(i.route), i.margin_m) "
            "FROM bench_reach_in i WHERE o.id = i.id"
        )


def offers_grow(generator: CityGenerator, size: int) -> None:
    existing = Offer.objects.filter(driver__email__endswith=f"@{DOMAIN}").count()
    generator.sizes = replace(generator.sizes, offers=size - existing)
    generator.seed += 1  # a new stream of offers, not the first ones again
    generator.write_offers()
    if connection.vendor == "postgresql":
        reach_prepare()
    analyze()


def searches(rng: random.Random, city: CityMap, count: int) -> list[Search]:
    offers = list(
        Offer.objects.filter(driver__email__endswith=f"@{DOMAIN}").values_list(
            "origin_lat", "origin_lng", "destination_lat", "destination_lng", "departs_at"
        )
    )
    found: list[Search] = []
    for n in range(count):
        if n % 2 == 0:
            o_lat, o_lng, d_lat, d_lng, departs = rng.choice(offers)
            origin = city._near(o_lat, o_lng, 1200)
            destination = city._near(d_lat, d_lng, 1200)
        else:
            origin = city.home()[1]
            destination = city.workplace()[1]
            _, _, _, _, departs = rng.choice(offers)
        start = departs - timedelta(minutes=rng.randint(0, 120))
        found.append((origin, destination, start, start + WINDOW))
    return found


def as_found(matches: list[matching.Match]) -> Found:
    return [(m.offer_id, m.score) for m in matches]


def project(search: Search) -> Found:
    origin, destination, after, before = search
    return [
        (f.match.offer_id, f.match.score)
        for f in offer_matches(
            origin=origin,
            destination=destination,
            depart_after=after,
            depart_before=before,
            seats=1,
        )
    ]


def brute_force(search: Search) -> Found:
    origin, destination, after, before = search
    settings = matching_settings()
    in_window = (
        offer
        for offer in Offer.objects.all().iterator(chunk_size=5_000)
        if offer.status == TripStatus.SCHEDULED
        and after <= offer.departs_at <= before
        and offer.seats_left >= 1
    )
    return as_found(
        matching.match_all(
            (offer_route(o) for o in in_window),
            origin=origin,
            destination=destination,
            settings=settings,
        )
    )


def _within(point: Point, walk_m: float) -> RawSQL:
    return RawSQL(
        "ST_DWithin(bench_reach, ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography, %s)",
        (point.lng, point.lat, walk_m),
        output_field=BooleanField(),
    )


def postgis_candidates(search: Search) -> QuerySet[Offer]:
    origin, destination, after, before = search
    walk_m = max(matching_settings().max_walk_km, 0.001) * 1000
    return Offer.objects.filter(
        _within(origin, walk_m),
        _within(destination, walk_m),
        status=TripStatus.SCHEDULED,
        departs_at__gte=after,
        departs_at__lte=before,
        seats_left__gte=1,
    ).select_related("driver")


def postgis(search: Search) -> Found:
    origin, destination, _, _ = search
    settings = matching_settings()
    candidates = postgis_candidates(search)
    return as_found(
        matching.match_all(
            (offer_route(o) for o in candidates),
            origin=origin,
            destination=destination,
            settings=settings,
        )
    )


def clean() -> None:
    Offer.objects.filter(driver__email__endswith=f"@{DOMAIN}").delete()
    User.objects.filter(email__endswith=f"@{DOMAIN}").delete()


def main() -> None:
    sizes = SIZES
    if len(sys.argv) > 1:  # e.g. `1000,10000` for a quick run
        sizes = tuple(int(n) for n in sys.argv[1].split(","))
    clean()
    has_postgis = postgis_enable()
    generator = CityGenerator(
        sizes=replace(Sizes.at(1), members=min(DRIVERS, max(sizes) // 25)),
        seed=2026,
        rides_start=datetime.fromisoformat("2026-12-01T00:00:00+01:00"),
        log=lambda _line: None,
    )
    generator.write_members()
    rng = random.Random(2026)
    city = CityMap(rng)
    print(f"database: {connection.vendor}; {WINDOW} windows; PostGIS: {has_postgis}")
    print(
        "| offers | avg candidates (project / PostGIS) | avg matches | project p50 | p95 "
        "| brute force p50 | p95 | PostGIS p50 | p95 | brute / project | project / PostGIS |"
    )
    print("|---:" * 11 + "|")
    for size in sizes:
        offers_grow(generator, size)
        queries = searches(rng, city, QUERIES)
        mine, mine_found = timed(project, queries)
        brute, brute_found = timed(brute_force, queries[: BRUTE_QUERIES.get(size, 5)])
        assert mine_found[: len(brute_found)] == brute_found, "project and brute force differ"
        gis: list[float] = []
        candidates = _candidate_counts(queries, has_postgis)
        if has_postgis:
            gis, gis_found = timed(postgis, queries)
            assert gis_found == mine_found, "project and PostGIS differ"
        cells = [
            f"{size:,}",
            candidates,
            f"{sum(len(f) for f in mine_found) / len(mine_found):.1f}",
            p50_p95(mine),
            p50_p95(brute),
            p50_p95(gis) if gis else "n/a | n/a",
            ratio(brute, mine),
            ratio(mine, gis),
        ]
        print("| " + " | ".join(cells) + " |")
    clean()


def _candidate_counts(queries: list[Search], has_postgis: bool) -> str:
    """Average number of offers each index hands to the detour check."""
    walk = matching_settings().max_walk_km
    mine: list[int] = []
    gis: list[int] = []
    for search in queries:
        origin, destination, after, before = search
        common: dict[str, Any] = {"depart_after": after, "depart_before": before, "seats": 1}
        mine.append(
            offer_candidates(origin=origin, destination=destination, walk_km=walk, **common).count()
        )
        if has_postgis:
            gis.append(postgis_candidates(search).count())
    text = f"{sum(mine) / len(mine):.1f}"
    return f"{text} / {sum(gis) / len(gis):.1f}" if gis else f"{text} / n/a"


if __name__ == "__main__":
    main()
