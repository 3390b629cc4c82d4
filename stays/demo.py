"""Demo stays: Barcelona's districts (simplified outlines) with their rules, community projects,
and homes listed by a few demo members who live in them."""

from __future__ import annotations

from coop.community.models import CommunityProject, ProjectStatus
from coop.demo.registry import DemoContext
from coop.exceptions import DomainError
from coop.geo.points import Point
from stays.barcelona import DISTRICTS, LICENCE_PATTERN
from stays.models import Home, Zone
from stays.services import ListingInput, listing_create
from stays.zones import bbox_of, zone_for_point

PROJECTS = (
    ("horts-del-barri", "Neighbourhood food gardens", "Raised beds in Sants.", True),
    ("biblioteca-de-coses", "Library of things for the Raval", "Tools to borrow.", True),
    ("casal-gent-gran", "Casal for older neighbours", "Afternoons in Gràcia.", True),
    ("festa-major", "Street party decorations", "Not approved by the members.", False),
)

TITLES = (
    "Bright flat with a balcony over the square",
    "Quiet room in a family home near the market",
    "Top-floor flat with a roof terrace",
    "Sunny room, five minutes from the metro",
    "Modernista flat with high ceilings",
    "Room with a view of the hills",
)


def centroid(polygon: list[list[float]]) -> Point:
    lats = [vertex[0] for vertex in polygon]
    lngs = [vertex[1] for vertex in polygon]
    return Point(sum(lats) / len(lats), sum(lngs) / len(lngs))


def seed(context: DemoContext) -> None:
    # Not counted with context.tally: the command's grand total is about people.
    for district in DISTRICTS:
        Zone.objects.update_or_create(
            slug=district.slug,
            defaults={
                "name": district.name,
                "polygon": district.polygon,
                "licence_pattern": LICENCE_PATTERN,
                "description": "Simplified outline of the district (demo data).",
                **bbox_of(district.polygon),
            },
        )
    for slug, name, description, approved in PROJECTS:
        CommunityProject.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "status": ProjectStatus.APPROVED if approved else ProjectStatus.PROPOSED,
            },
        )
    listed = 0
    open_districts = [d for d in DISTRICTS if d.new_listings]
    hosts = [m for m in context.members if not m.is_board][: len(TITLES)]
    for index, host in enumerate(hosts):
        if Home.objects.filter(host=host).exists():
            continue
        district = open_districts[index % len(open_districts)]
        point = host.home or centroid(district.polygon)
        if zone_for_point(point) is None:
            point = centroid(district.polygon)
        entire = index % 2 == 0
        try:
            listing_create(
                host=host,
                address=f"Carrer de la Demo {10 + index}, Barcelona",
                point=point,
                data=ListingInput(
                    home_type="entire_home" if entire else "private_room",
                    title=TITLES[index],
                    description="A demo listing: a member's own home, within the city's rules.",
                    capacity=4 if entire else 2,
                    beds=2 if entire else 1,
                    nightly_price_cents=6500 + 500 * index if entire else 3800 + 200 * index,
                    cleaning_fee_cents=2500 if entire else 1000,
                    min_nights=2,
                    max_nights=14,
                    amenities=["wifi", "kitchen", "washing machine"],
                    instant_book=index % 3 == 0,
                    cancellation_policy=("flexible", "moderate", "strict")[index % 3],
                    licence_number=f"HUTB-{100000 + index:06d}",
                ),
            )
        except DomainError as error:
            context.write(f"stays: {host.display_name} not listed ({error.code})")
            continue
        listed += 1
    context.write(f"stays: {len(DISTRICTS)} zones, {listed} new listings")
