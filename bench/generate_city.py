"""A city-scale co-op in Barcelona for load tests and benchmarks.

    .venv/bin/python bench/generate_city.py --scale 0.01            # a quick run
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coop_city \\
        .venv/bin/python bench/generate_city.py --scale 1 --seed 2026   # the full city

At scale 1: 50,000 members, 100,000 lending items, 20,000 stays listings, 100,000 ride offers
over the next month and 1,000,000 timebank transfers. The same seed (and, for the rides, the same
start day) gives the same data.

Geography: homes lie inside Barcelona's ten districts (the polygons of stays/barcelona.py, the
stays zones), shared out by each district's population, so the denser districts are denser;
within a district most homes cluster around its neighbourhoods (coop/demo/barcelona.py) and the
rest spread over the whole district. Items are lent from their owner's home, hosts list the home
they live in, drivers start from home to where people work (or back) at commuting hours.

Speed: rows are written in bulk (COPY on PostgreSQL), never through the services, but every row
keeps the invariants the services keep: one member one home, listings only in zones open to new
ones and with a licence the zone accepts, offers priced within the cost cap and with the reach
box the matcher needs, and timebank transfers written as the timebank writes them (two opposite
movements each, running balances within the voted limits, cached balances equal to the sums).
The database checks its constraints as the rows arrive; `timebank_check` and `ledger_check`
run at the end.

The city is added to whatever the database holds (the demo co-op is seeded first if the stays
zones are missing); it refuses to run twice on one database.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import math
import os
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coop.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DATABASE_URL", "sqlite:///var/bench-city.sqlite3")
    import django

    django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.bulk import analyze, insert_rows, next_ids, sequences_reset  # noqa: E402
from coop.demo.barcelona import (  # noqa: E402
    BARRIS,
    CATALAN_FIRST_NAMES,
    CATALAN_SURNAMES,
    INTERNATIONAL_NAMES,
    METRES_PER_DEGREE_LAT,
    SPANISH_FIRST_NAMES,
    SPANISH_SURNAMES,
    Barri,
)
from coop.demo.registry import seed_demo  # noqa: E402
from coop.geo.points import Point  # noqa: E402
from coop.members.models import MembershipStatus, User  # noqa: E402
from coop.money.amounts import default_currency  # noqa: E402
from governance.parameters import parameter_value  # noqa: E402
from lending.models import Category as ItemCategory  # noqa: E402
from lending.models import Item  # noqa: E402
from rides import matching  # noqa: E402
from rides.models import MAX_SEATS, FuelType, Offer  # noqa: E402
from rides.selectors import matching_settings  # noqa: E402
from rides.services import price_cap_cents  # noqa: E402
from stays.barcelona import DISTRICTS, District  # noqa: E402
from stays.models import CancellationPolicy, Home, HomeType, Listing, Zone  # noqa: E402
from stays.zones import polygon_contains, zone_policy  # noqa: E402
from timebank.models import AccountKind, Movement, TimeAccount, Transfer, TransferKind  # noqa: E402

DOMAIN = "city.bench.example"
PASSWORD = "bench-member-2026"  # noqa: S105 - a benchmark dataset's published password
FULL = {
    "members": 50_000,
    "items": 100_000,
    "listings": 20_000,
    "offers": 100_000,
    "transfers": 1_000_000,
}
# Residents per district, 2023 municipal register (padró), rounded to the thousand.
POPULATION = {
    "ciutat-vella": 110_000,
    "eixample": 272_000,
    "sants-montjuic": 189_000,
    "les-corts": 83_000,
    "sarria-sant-gervasi": 151_000,
    "gracia": 124_000,
    "horta-guinardo": 174_000,
    "nou-barris": 174_000,
    "sant-andreu": 152_000,
    "sant-marti": 241_000,
}
# Share of homes clustered around a neighbourhood centre rather than spread over the district.
CLUSTERED = 0.7
# Where people drive to work: places in and around the city (label, lat, lng, spread in m).
WORKPLACES: tuple[tuple[str, float, float, int], ...] = (
    ("Zona Franca", 41.3420, 2.1420, 1500),
    ("Aeroport del Prat", 41.2970, 2.0800, 800),
    ("22@ Poblenou", 41.4030, 2.1940, 700),
    ("Diagonal - Zona Universitària", 41.3850, 2.1170, 700),
    ("Hospital de Bellvitge", 41.3440, 2.1030, 400),
    ("Sant Cugat del Vallès", 41.4720, 2.0860, 1500),
    ("Cerdanyola - UAB", 41.5010, 2.1110, 900),
    ("Badalona", 41.4480, 2.2450, 1200),
    ("L'Hospitalet - Gran Via", 41.3580, 2.1240, 900),
    ("Fira de Barcelona", 41.3550, 2.1280, 500),
    ("Plaça de Catalunya", 41.3870, 2.1700, 600),
    ("Sant Joan Despí", 41.3680, 2.0600, 900),
)
ITEM_TITLES: dict[str, tuple[str, ...]] = {
    ItemCategory.TOOLS: (
        "Cordless drill", "Hammer drill", "Jigsaw", "Circular saw", "Orbital sander",
        "Tile cutter", "Ladder, 2 m", "Stud finder", "Socket set", "Angle grinder",
    ),
    ItemCategory.GARDEN: (
        "Hedge trimmer", "Lawn mower", "Pruning shears", "Leaf blower", "Wheelbarrow",
    ),
    ItemCategory.KITCHEN: (
        "Stand mixer", "Pasta machine", "Paella pan for 12", "Food dehydrator", "Pressure cooker",
    ),
    ItemCategory.CAMPING: (
        "Tent for four", "Sleeping bag", "Camping stove", "Cool box", "Hiking poles",
    ),
    ItemCategory.SPORTS: (
        "Paddle board", "Bike repair stand", "Child bike seat", "Snorkel set", "Yoga mats",
    ),
    ItemCategory.ELECTRONICS: (
        "Projector", "Portable speaker", "Soldering station", "Dehumidifier", "Sewing machine",
    ),
    ItemCategory.CHILDREN: ("Travel cot", "Baby carrier", "High chair", "Pushchair"),
    ItemCategory.CLEANING: ("Pressure washer", "Carpet cleaner", "Steam cleaner"),
    ItemCategory.OTHER: ("Folding table", "Sack truck", "Party tent 3x3", "Board game box"),
}  # fmt: skip
LISTING_TITLES = (
    "Bright flat with a balcony", "Quiet room near the market", "Top-floor flat with terrace",
    "Sunny room near the metro", "Modernista flat, high ceilings", "Room with a view of the hills",
    "Family flat near the park", "Small studio, big windows",
)  # fmt: skip
STREETS = (
    "Carrer de Mallorca", "Carrer de Sants", "Carrer Gran de Gràcia", "Passeig de Sant Joan",
    "Carrer de Pere IV", "Carrer de Sant Andreu", "Via Júlia", "Carrer de Balmes",
    "Carrer del Taulat", "Carrer de Cartagena", "Carrer de Blai", "Travessera de les Corts",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Sizes:
    members: int
    items: int
    listings: int
    offers: int
    transfers: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        if not 0 < scale <= 10:
            raise ValueError("--scale must be more than 0 and at most 10.")
        # Small scales keep a handful of each, so a tiny run still exercises every part.
        return cls(**{name: max(10, round(n * scale)) for name, n in FULL.items()})


@dataclass
class Report:
    sizes: Sizes
    seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    database_bytes: int = 0

    def lines(self) -> list[str]:
        out = [
            f"{part}: {self.rows.get(part, 0):,} rows in {s:.1f} s"
            for part, s in self.seconds.items()
        ]
        out.append(f"total: {sum(self.seconds.values()):.1f} s")
        if self.database_bytes:
            out.append(f"database size: {self.database_bytes / 2**20:,.0f} MiB")
        return out


class AlreadyGenerated(Exception):
    pass


# --- Geography ---------------------------------------------------------------------------------


class CityMap:
    """Draws points where people live, by district population, inside the district polygons."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.districts = DISTRICTS
        self._cumulative = list(itertools.accumulate(POPULATION[d.slug] for d in DISTRICTS))
        names = {d.name: d for d in DISTRICTS}
        self.barris: dict[str, list[Barri]] = {d.slug: [] for d in DISTRICTS}
        for barri in BARRIS:
            self.barris[names[barri.district].slug].append(barri)
        self._boxes = {
            d.slug: (
                min(v[0] for v in d.polygon),
                max(v[0] for v in d.polygon),
                min(v[1] for v in d.polygon),
                max(v[1] for v in d.polygon),
            )
            for d in DISTRICTS
        }

    def district(self) -> District:
        pick = self.rng.random() * self._cumulative[-1]
        return self.districts[bisect.bisect_right(self._cumulative, pick)]

    def containing(self, point: Point) -> list[District]:
        return [d for d in self.districts if polygon_contains(d.polygon, point)]

    def home(self, district: District | None = None) -> tuple[District, Point]:
        """A home in `district` (or a district drawn by population). The point lies in that
        district's polygon and in no other, so its stays zone is unambiguous."""
        district = district or self.district()
        while True:
            barris = self.barris[district.slug]
            if barris and self.rng.random() < CLUSTERED:
                barri = self.rng.choice(barris)
                point = self._near(barri.lat, barri.lng, 3 * barri.spread_m)
            else:
                south, north, west, east = self._boxes[district.slug]
                point = Point(
                    round(self.rng.uniform(south, north), 5), round(self.rng.uniform(west, east), 5)
                )
            if self.containing(point) == [district]:
                return district, point

    def _near(self, lat: float, lng: float, spread_m: float) -> Point:
        """Normally spread around (lat, lng), standard deviation spread_m / 2, ~1 m precise."""
        dy = self.rng.gauss(0, spread_m / 2)
        dx = self.rng.gauss(0, spread_m / 2)
        return Point(
            round(lat + dy / METRES_PER_DEGREE_LAT, 5),
            round(lng + dx / (METRES_PER_DEGREE_LAT * math.cos(math.radians(lat))), 5),
        )

    def workplace(self) -> tuple[str, Point]:
        label, lat, lng, spread = self.rng.choice(WORKPLACES)
        return label, self._near(lat, lng, spread)

    def barri_label(self, district: District, point: Point) -> str:
        barris = self.barris[district.slug]
        if not barris:
            return district.name
        nearest = min(barris, key=lambda b: (b.lat - point.lat) ** 2 + (b.lng - point.lng) ** 2)
        return nearest.short_name


# --- The generator -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Member:
    id: int
    district: District
    home: Point


class CityGenerator:
    def __init__(
        self, *, sizes: Sizes, seed: int, rides_start: datetime, log: Callable[[str], object]
    ):
        self.sizes = sizes
        self.seed = seed
        self.rides_start = rides_start
        self.log = log
        self.now = timezone.now()
        self.report = Report(sizes=sizes)
        self.members: list[Member] = []

    def rng(self, part: str) -> random.Random:
        # One stream per part: changing how items are drawn does not move the rides.
        return random.Random(f"{self.seed}:{part}")

    def run(self) -> Report:
        if User.objects.filter(email__endswith=f"@{DOMAIN}").exists():
            raise AlreadyGenerated(
                "This database already holds a generated city; use a fresh database."
            )
        if Zone.objects.filter(slug__in=[d.slug for d in DISTRICTS]).count() < len(DISTRICTS):
            self._timed("demo co-op", self.write_demo)
        for part, step in (
            ("members", self.write_members),
            ("items", self.write_items),
            ("listings", self.write_stays),
            ("offers", self.write_offers),
            ("transfers", self.write_timebank),
        ):
            self._timed(part, step)
        self._timed("analyze", self.analyze)
        self.report.database_bytes = database_bytes()
        return self.report

    def _timed(self, part: str, step: Callable[[], int]) -> None:
        start = time.perf_counter()
        with transaction.atomic():
            rows = step()
        self.report.seconds[part] = time.perf_counter() - start
        self.report.rows[part] = rows
        self.log(f"{part}: {rows:,} rows in {self.report.seconds[part]:.1f} s")

    def analyze(self) -> int:
        analyze()
        return 0

    def write_demo(self) -> int:
        """The demo co-op: the stays zones (with their rules), community projects, a board."""
        context = seed_demo(write=lambda _line: None)
        return context.created.total()

    # --- members ---

    def write_members(self) -> int:
        rng = self.rng("members")
        city = CityMap(rng)
        count = self.sizes.members
        ids = next_ids(User, count)
        first_number = (
            User.objects.exclude(member_number=None)
            .order_by("-member_number")
            .values_list("member_number", flat=True)
            .first()
            or 0
        ) + 1
        # One hash for everyone: hashing 50,000 passwords would take longer than the rest.
        password = make_password(PASSWORD)
        language_of = {"ca": 0.45, "es": 0.4, "en": 0.15}
        rows: list[tuple[Any, ...]] = []
        emails: list[tuple[Any, ...]] = []
        for n, user_id in enumerate(ids):
            district, home = city.home()
            self.members.append(Member(user_id, district, home))
            first, last, language = _name(rng, language_of)
            email = f"member{n + 1}@{DOMAIN}"
            joined = self.now - timedelta(days=rng.uniform(1, 3 * 365))
            rows.append(
                (
                    user_id,
                    email,
                    f"{first} {last}",
                    language,
                    home.lat,
                    home.lng,
                    MembershipStatus.MEMBER,
                    first_number + n,
                    joined + timedelta(hours=rng.uniform(1, 72)),
                    joined,
                    password,
                )
            )
            emails.append((user_id, email, True, True))
        written = insert_rows(
            User,
            (
                "id",
                "email",
                "display_name",
                "preferred_language",
                "home_lat",
                "home_lng",
                "membership_status",
                "member_number",
                "became_member_at",
                "date_joined",
                "password",
            ),
            rows,
        )
        insert_rows(EmailAddress, ("user", "email", "verified", "primary"), emails)
        sequences_reset(User, EmailAddress)
        return written

    # --- lending ---

    def write_items(self) -> int:
        rng = self.rng("items")
        # A few members own many things, most own a few: a Pareto weight per member.
        weights = list(itertools.accumulate(rng.paretovariate(1.5) for _ in self.members))
        store = Point(41.3697, 2.1399)  # the common store at Can Batlló (lending/demo.py)
        categories = list(ITEM_TITLES)
        currency = default_currency()
        ids = next_ids(Item, self.sizes.items)

        def rows() -> Iterator[tuple[Any, ...]]:
            for item_id in ids:
                category = rng.choice(categories)
                value_eur = rng.choice((30, 50, 80, 120, 200, 350))
                min_hours = rng.choice((1, 2, 4, 24))
                common = rng.random() < 0.03
                if common:
                    owner, point = None, store
                else:
                    member = self.members[
                        rng.choices(range(len(self.members)), cum_weights=weights)[0]
                    ]
                    owner, point = member.id, member.home
                yield (
                    item_id,
                    owner,
                    common,
                    rng.choice(ITEM_TITLES[category]),
                    category,
                    currency,
                    value_eur * 100,
                    rng.choice((0, 0, value_eur * 20)),  # deposit: none, or a fifth of the value
                    min_hours,
                    min_hours * rng.choice((4, 12, 48)),
                    rng.choice((0, 0, 1, 2)),
                    rng.random() < 0.4,
                    point.lat,
                    point.lng,
                    rng.random() < 0.97,
                    self.now - timedelta(days=rng.uniform(0, 2 * 365)),
                )

        written = insert_rows(
            Item,
            (
                "id",
                "owner",
                "is_common_store",
                "title",
                "category",
                "currency",
                "replacement_value_cents",
                "deposit_cents",
                "min_hours",
                "max_hours",
                "buffer_hours",
                "auto_approve",
                "pickup_lat",
                "pickup_lng",
                "is_active",
                "created_at",
            ),
            rows(),
        )
        sequences_reset(Item)
        return written

    # --- stays ---

    def write_stays(self) -> int:
        """Hosts list the home they live in (one home each), only in zones open to new listings,
        with a licence number the zone accepts; a home has at most one entire-home listing."""
        rng = self.rng("stays")
        zones = {zone.slug: zone for zone in Zone.objects.filter(slug__in=POPULATION)}
        policies = {slug: zone_policy(zone) for slug, zone in zones.items()}
        open_members = [m for m in self.members if policies[m.district.slug].new_listings]
        rng.shuffle(open_members)
        currency = default_currency()
        first_licence = Home.objects.count() + 100_000
        homes: list[tuple[Any, ...]] = []
        listings: list[tuple[Any, ...]] = []
        home_ids = iter(next_ids(Home, len(open_members)))
        listing_ids = iter(next_ids(Listing, self.sizes.listings))
        for host in open_members:
            if len(listings) >= self.sizes.listings:
                break
            home_id = next(home_ids)
            zone = zones[host.district.slug]
            licence = f"HUTB-{first_licence + len(homes):06d}"
            if not policies[zone.slug].licence_ok(licence):
                raise ValueError(f"Zone {zone.slug} refuses the licence {licence}.")
            created = self.now - timedelta(days=rng.uniform(1, 2 * 365))
            homes.append(
                (
                    home_id,
                    host.id,
                    f"{rng.choice(STREETS)} {rng.randint(1, 300)}, Barcelona",
                    host.home.lat,
                    host.home.lng,
                    zone.pk,
                    created,
                )
            )
            # Most hosts let the whole flat; some let one to three rooms of it instead.
            kinds = (
                [HomeType.ENTIRE_HOME]
                if rng.random() < 0.75
                else [HomeType.PRIVATE_ROOM] * rng.choice((1, 1, 2, 3))
            )
            for kind in kinds[: self.sizes.listings - len(listings)]:
                entire = kind == HomeType.ENTIRE_HOME
                capacity = rng.choice((2, 3, 4, 4, 6)) if entire else rng.choice((1, 2))
                min_nights = rng.choice((1, 2, 3))
                listings.append(
                    (
                        next(listing_ids),
                        home_id,
                        host.id,
                        kind,
                        rng.choice(LISTING_TITLES),
                        capacity,
                        max(1, capacity // 2),
                        rng.randrange(4500, 16000, 500)
                        if entire
                        else rng.randrange(2500, 6000, 100),
                        rng.choice((0, 1500, 2500, 4000)) if entire else rng.choice((0, 1000)),
                        currency,
                        min_nights,
                        rng.choice((7, 14, 30)),
                        rng.random() < 0.3,
                        rng.choice(CancellationPolicy.values),
                        licence,
                        f"{rng.getrandbits(128):032x}",
                        created,
                    )
                )
        if len(listings) < self.sizes.listings:
            raise ValueError("Not enough members in zones open to new listings for that many.")
        insert_rows(Home, ("id", "host", "address", "lat", "lng", "zone", "created_at"), homes)
        written = insert_rows(
            Listing,
            (
                "id",
                "home",
                "host",
                "home_type",
                "title",
                "capacity",
                "beds",
                "nightly_price_cents",
                "cleaning_fee_cents",
                "currency",
                "min_nights",
                "max_nights",
                "instant_book",
                "cancellation_policy",
                "licence_number",
                "ical_token",
                "created_at",
            ),
            listings,
        )
        sequences_reset(Home, Listing)
        return written

    # --- rides ---

    def write_offers(self) -> int:
        rng = self.rng("rides")
        city = CityMap(rng)
        drivers = rng.sample(self.members, max(1, min(len(self.members), self.sizes.offers // 25)))
        plan = matching_settings()
        max_detour_km = float(parameter_value("rides.max_detour_km"))
        max_detour_minutes = float(parameter_value("rides.max_detour_minutes"))
        max_detour_percent = float(parameter_value("rides.max_detour_percent"))
        currency = default_currency()
        ids = next_ids(Offer, self.sizes.offers)
        tz = timezone.get_current_timezone()
        days = [self.rides_start.astimezone(tz).date() + timedelta(days=d) for d in range(30)]
        # Weekdays carry twice the traffic of weekends.
        day_weights = list(itertools.accumulate(1.0 if d.isoweekday() <= 5 else 0.5 for d in days))

        def rows() -> Iterator[tuple[Any, ...]]:
            for offer_id in ids:
                driver = rng.choice(drivers)
                day = days[bisect.bisect_right(day_weights, rng.random() * day_weights[-1])]
                minutes, direction = _departure_minute(rng, weekday=day.isoweekday() <= 5)
                home_label = city.barri_label(driver.district, driver.home)
                if direction == "leisure":
                    district, other = city.home()
                    away_label, away = city.barri_label(district, other), other
                else:
                    away_label, away = city.workplace()
                if direction == "home":
                    origin, destination = (away_label, away), (home_label, driver.home)
                else:
                    origin, destination = (home_label, driver.home), (away_label, away)
                if matching.great_circle_km(origin[1], destination[1]) < 0.5:
                    destination = ("Plaça de Catalunya", Point(41.3870, 2.1700))
                    if matching.great_circle_km(origin[1], destination[1]) < 0.5:
                        destination = ("Zona Franca", Point(41.3420, 2.1420))
                waypoints: list[dict[str, Any]] = []
                if rng.random() < 0.15:
                    middle = city._near(
                        (origin[1].lat + destination[1].lat) / 2,
                        (origin[1].lng + destination[1].lng) / 2,
                        800,
                    )
                    waypoints.append({"label": "On the way", **middle.as_dict()})
                route = (origin[1], *(Point(w["lat"], w["lng"]) for w in waypoints), destination[1])
                distance = matching.route_length_km(route) * plan.road_factor
                vehicle_seats = rng.choice((5, 5, 5, 7, 4))
                seats = rng.randint(1, min(MAX_SEATS, vehicle_seats - 1))
                cap = price_cap_cents(distance_km=distance, seats=seats)
                detour_km = (
                    max_detour_km if rng.random() < 0.5 else max_detour_km * rng.uniform(0.5, 1)
                )
                detour_minutes = (
                    max_detour_minutes
                    if rng.random() < 0.5
                    else max_detour_minutes * rng.uniform(0.5, 1)
                )
                box = matching.reach_box(
                    route, matching.reach_margin_km(route, detour_km, plan.road_factor)
                )
                departs = datetime.combine(day, datetime.min.time(), tzinfo=tz) + timedelta(
                    minutes=minutes
                )
                yield (
                    offer_id,
                    driver.id,
                    origin[0],
                    origin[1].lat,
                    origin[1].lng,
                    destination[0],
                    destination[1].lat,
                    destination[1].lng,
                    waypoints,
                    departs,
                    seats,
                    seats,
                    cap if rng.random() < 0.7 else math.floor(cap * rng.uniform(0.5, 1)),
                    currency,
                    round(distance, 3),
                    detour_km,
                    detour_minutes,
                    max_detour_percent,
                    box.min_lat,
                    box.max_lat,
                    box.min_lng,
                    box.max_lng,
                    vehicle_seats,
                    rng.choice(FuelType.values),
                    rng.random() < 0.5,
                    rng.random() < 0.1,
                    min(self.now, departs - timedelta(days=rng.uniform(0.2, 10))),
                )

        written = insert_rows(
            Offer,
            (
                "id",
                "driver",
                "origin_label",
                "origin_lat",
                "origin_lng",
                "destination_label",
                "destination_lat",
                "destination_lng",
                "waypoints",
                "departs_at",
                "seats",
                "seats_left",
                "price_per_seat_cents",
                "currency",
                "distance_km",
                "max_detour_km",
                "max_detour_minutes",
                "max_detour_percent",
                "reach_min_lat",
                "reach_max_lat",
                "reach_min_lng",
                "reach_max_lng",
                "vehicle_seats",
                "fuel_type",
                "instant_booking",
                "pets",
                "created_at",
            ),
            rows(),
        )
        sequences_reset(Offer)
        return written

    # --- timebank ---

    def write_timebank(self) -> int:
        """Transfers over the past year as timebank.services.transfer_write stores them: two
        opposite movements each, with the running balance after each, and every balance
        within the voted limits at every step; the cached balances are the final sums."""
        rng = self.rng("timebank")
        low = parameter_value("timebank.min_balance_minutes")
        high = parameter_value("timebank.max_balance_minutes")
        community_low = parameter_value("timebank.community_min_balance_minutes")
        community, _ = TimeAccount.objects.get_or_create(kind=AccountKind.COMMUNITY, owner=None)
        # Seven in ten members use the timebank, some far more than others.
        users = [m for m in self.members if rng.random() < 0.7] or self.members[:2]
        account_ids = list(next_ids(TimeAccount, len(users)))
        insert_rows(
            TimeAccount,
            ("id", "owner", "kind", "created_at"),
            (
                (account_id, member.id, AccountKind.MEMBER, self.now - timedelta(days=366))
                for account_id, member in zip(account_ids, users, strict=True)
            ),
        )
        sequences_reset(TimeAccount)
        owner_of: dict[int, int | None] = {a: m.id for a, m in zip(account_ids, users, strict=True)}
        owner_of[community.pk] = None
        balance = dict.fromkeys(account_ids, 0)
        balance[community.pk] = community.balance_minutes
        activity = list(itertools.accumulate(rng.paretovariate(2.0) for _ in account_ids))
        count = self.sizes.transfers
        transfer_ids = next_ids(Transfer, count)
        movement_ids = iter(next_ids(Movement, 2 * count))
        start = self.now - timedelta(days=365)
        step = timedelta(days=365) / count
        chunk = 50_000

        def pick() -> int:
            return account_ids[bisect.bisect_right(activity, rng.random() * activity[-1])]

        def room(payer: int, payee: int) -> int:
            payer_floor = community_low if payer == community.pk else low
            payee_room = math.inf if payee == community.pk else high - balance[payee]
            return int(min(balance[payer] - payer_floor, payee_room))

        written = 0
        for first in range(0, count, chunk):
            transfers: list[tuple[Any, ...]] = []
            movements: list[tuple[Any, ...]] = []
            for transfer_id in transfer_ids[first : first + chunk]:
                wanted = rng.choice((15, 30, 30, 45, 60, 60, 60, 90, 120, 180, 240))
                while True:
                    gift = rng.random() < 0.05
                    payer = pick()
                    payee = community.pk if gift else pick()
                    if payee != payer and room(payer, payee) >= 15:
                        break
                minutes = min(wanted, room(payer, payee) // 15 * 15)
                balance[payer] -= minutes
                balance[payee] += minutes
                at = start + step * (transfer_id - transfer_ids[0])
                transfers.append(
                    (
                        transfer_id,
                        payer,
                        payee,
                        minutes,
                        TransferKind.COMMUNITY_GIFT if gift else TransferKind.DIRECT,
                        "",
                        owner_of[payer],
                        at,
                    )
                )
                movements.append(
                    (next(movement_ids), payer, transfer_id, -minutes, balance[payer], at)
                )
                movements.append(
                    (next(movement_ids), payee, transfer_id, minutes, balance[payee], at)
                )
            written += insert_rows(
                Transfer,
                (
                    "id",
                    "from_account",
                    "to_account",
                    "amount_minutes",
                    "kind",
                    "note",
                    "created_by",
                    "created_at",
                ),
                transfers,
            )
            insert_rows(
                Movement,
                (
                    "id",
                    "account",
                    "transfer",
                    "amount_minutes",
                    "balance_after_minutes",
                    "created_at",
                ),
                movements,
            )
        sequences_reset(Transfer, Movement)
        _cache_balances(balance)
        return written


def _cache_balances(balance: dict[int, int]) -> None:
    """Write the final balances in one statement per thousand accounts (they are caches of the
    movements, as TimeAccount says)."""
    items = sorted(balance.items())
    table = connection.ops.quote_name(TimeAccount._meta.db_table)
    with connection.cursor() as cursor:
        for first in range(0, len(items), 1000):
            part = items[first : first + 1000]
            cases = " ".join("WHEN %s THEN %s" for _ in part)
            params: list[int] = [value for pair in part for value in pair]
            params += [account_id for account_id, _ in part]
            cursor.execute(
                f"UPDATE {table} SET balance_minutes = CASE id {cases} END "  # noqa: S608
                f"WHERE id IN ({', '.join(['%s'] * len(part))})",
                params,
            )


def _name(rng: random.Random, language_of: dict[str, float]) -> tuple[str, str, str]:
    language = rng.choices(list(language_of), weights=list(language_of.values()))[0]
    if language == "ca":
        return rng.choice(CATALAN_FIRST_NAMES), rng.choice(CATALAN_SURNAMES), language
    if language == "es":
        return rng.choice(SPANISH_FIRST_NAMES), rng.choice(SPANISH_SURNAMES), language
    first, last = rng.choice(INTERNATIONAL_NAMES)
    return first, last, language


def _departure_minute(rng: random.Random, *, weekday: bool) -> tuple[int, str]:
    """Minute of the day (in 5-minute steps) and the trip's direction: to work in the morning
    peak, home in the evening peak, anything else at other hours."""
    pick = rng.random()
    if weekday and pick < 0.4:
        minute, direction = rng.gauss(8 * 60, 45), "work"
    elif weekday and pick < 0.75:
        minute, direction = rng.gauss(18 * 60, 60), "home"
    else:
        minute = rng.uniform(7 * 60, 22 * 60)
        direction = rng.choice(("work", "home", "leisure", "leisure"))
    return int(min(max(minute, 5 * 60), 23 * 60 + 55)) // 5 * 5, direction


def database_bytes() -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
    name = str(settings.DATABASES["default"]["NAME"])
    return Path(name).stat().st_size if Path(name).exists() else 0


def next_local_midnight(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return datetime.combine(
        local.date() + timedelta(days=1), datetime.min.time(), tzinfo=local.tzinfo
    )


def generate(
    *,
    scale: float,
    seed: int = 2026,
    rides_start: datetime | None = None,
    log: Callable[[str], object] = lambda _line: None,
) -> Report:
    """Add a generated city to the database; see the module's docstring."""
    start = rides_start or next_local_midnight(timezone.now())
    return CityGenerator(sizes=Sizes.at(scale), seed=seed, rides_start=start, log=log).run()


def check(out: Callable[[str], object] = print) -> None:
    """The project's own checks; each raises CommandError on a problem."""
    call_command("timebank_check", stdout=_Writer(out))
    call_command("ledger_check", stdout=_Writer(out))


class _Writer:
    def __init__(self, out: Callable[[str], object]) -> None:
        self.out = out

    def write(self, text: str) -> int:
        if text.strip():
            self.out(text.rstrip())
        return len(text)

    def flush(self) -> None:
        return None


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = the full city (default).")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--rides-start",
        help="First day of the month of rides, YYYY-MM-DD (default: tomorrow).",
    )
    parser.add_argument("--no-check", action="store_true", help="Skip timebank/ledger checks.")
    args = parser.parse_args(argv)
    call_command("migrate", verbosity=0)
    rides_start = None
    if args.rides_start:
        day = datetime.strptime(args.rides_start, "%Y-%m-%d").date()  # noqa: DTZ007 - a date
        rides_start = datetime.combine(
            day, datetime.min.time(), tzinfo=timezone.get_current_timezone()
        )
    print(f"database: {connection.vendor}; scale {args.scale}; seed {args.seed}")
    report = generate(scale=args.scale, seed=args.seed, rides_start=rides_start, log=print)
    for line in report.lines()[-2:]:
        print(line)
    if not args.no_check:
        start = time.perf_counter()
        check()
        print(f"checks passed in {time.perf_counter() - start:.1f} s")
    print(
        f"members log in as member1@{DOMAIN} ... member{report.sizes.members}@{DOMAIN} / {PASSWORD}"
    )


if __name__ == "__main__":
    main()
