"""Demo library of things around Barcelona: members' tools, the co-op's common store, a few
reservations in different states, and some wanted posts.

Idempotent: items are found by (owner or common store, title); reservations are made only for
items that have none; wanted posts by (member, title). A second run creates nothing.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.utils import timezone

from coop.demo.registry import DemoContext
from coop.geo.approximate import approximate_point
from coop.geo.points import Point
from coop.members.models import User
from lending import services
from lending.models import Item, Reservation, Wanted

# (title, category, replacement €, deposit €, min h, max h, buffer h, check-out, check-in)
MEMBER_ITEMS: tuple[tuple[str, str, int, int, int, int, int, list[str], list[str]], ...] = (
    (
        "Cordless drill with bits",
        "tools",
        120,
        0,
        2,
        48,
        1,
        ["Battery charged?"],
        ["All bits back?"],
    ),
    ("Jigsaw", "tools", 90, 0, 2, 48, 1, ["Check the blade"], ["Blade intact?"]),
    (
        "Pressure washer",
        "cleaning",
        180,
        0,
        4,
        72,
        2,
        ["Hose and nozzle included"],
        ["Empty the tank"],
    ),
    (
        "Camping tent for four",
        "camping",
        200,
        0,
        24,
        168,
        12,
        ["Count the pegs"],
        ["Dry before return?"],
    ),
    ("Sewing machine", "other", 150, 0, 2, 72, 0, ["Needle in place"], ["Bobbin back in the box"]),
    ("Hedge trimmer", "garden", 110, 0, 2, 24, 1, ["Blade guard on"], ["Blade cleaned?"]),
)
# The co-op's common store at the Can Batlló workshop.
STORE = Point(41.3697, 2.1399)
STORE_ITEMS: tuple[tuple[str, str, int], ...] = (
    ("Aluminium ladder, 3 m", "tools", 150),
    ("Wheelbarrow", "garden", 80),
    ("Carpet cleaner", "cleaning", 300),
)
WANTED: tuple[tuple[str, str], ...] = (
    ("Tile cutter", "tools"),
    ("Paddle board", "sports"),
    ("Dehumidifier", "electronics"),
)


def seed(context: DemoContext) -> None:
    members = [member for member in context.members if member.home is not None]
    if len(members) < 3 or not context.board:
        context.write("lending: skipped (needs members with homes and a board)")
        return
    made: Counter[str] = Counter()
    items: list[Item] = []
    for index, row in enumerate(MEMBER_ITEMS):
        title, category, value, deposit, low, high, buffer, out, back = row
        owner = members[index % len(members)]
        item = Item.objects.filter(owner=owner, title=title).first()
        if item is None and owner.home is not None:
            item = services.item_create(
                owner=owner,
                title=title,
                category=category,
                description="Lent by a neighbour. Ask if you need help using it.",
                replacement_value_cents=value * 100,
                deposit_cents=deposit * 100,
                min_hours=low,
                max_hours=high,
                buffer_hours=buffer,
                auto_approve=index % 2 == 0,
                # Never the member's real home: a point nearby stands for their door.
                pickup=approximate_point(owner.home, key=f"demo-lending:{title}"),
                pickup_details="Ring the bell; I will come down.",
                checkout_prompts=out,
                checkin_prompts=back,
            )
            made["items"] += 1
        if item is not None:
            items.append(item)
    board = context.board[0]
    for title, category, value in STORE_ITEMS:
        if not Item.objects.filter(is_common_store=True, title=title).exists():
            services.item_create(
                owner=board,
                common_store=True,
                title=title,
                category=category,
                replacement_value_cents=value * 100,
                auto_approve=True,
                min_hours=1,
                max_hours=72,
                buffer_hours=1,
                pickup=STORE,
                pickup_details="Can Batlló, Bloc 11, the tool library counter",
                safety_check_every_days=180,
            )
            made["common store items"] += 1
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    for offset, item in enumerate(items[:3]):
        if Reservation.objects.filter(item=item).exists():
            continue
        borrower = _someone_else(context, members, item.owner)
        services.reservation_request(
            borrower=borrower,
            item=item,
            starts_at=start + timedelta(days=offset),
            ends_at=start + timedelta(days=offset, hours=max(item.min_hours, 4)),
        )
        made["reservations"] += 1
    for (title, category), member in zip(WANTED, members, strict=False):
        if not Wanted.objects.filter(member=member, title=title).exists():
            services.wanted_create(member=member, title=title, category=category)
            made["wanted"] += 1
    context.write(
        f"lending: {made['items']} items, {made['common store items']} common store items, "
        f"{made['reservations']} reservations, {made['wanted']} wanted posts created"
    )


def _someone_else(context: DemoContext, members: list[User], owner: User | None) -> User:
    while True:
        other = context.random.choice(members)
        if owner is None or other.pk != owner.pk:
            return other
