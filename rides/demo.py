"""Demo rides: members offering trips between Barcelona neighbourhoods over the coming days, a
weekday commute, and a saved search.

Idempotent: an offer is found by (driver, from, to, departure), the commute by (driver, from,
to), the saved search by (member, label); a second run on the same day creates nothing.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from coop.demo.registry import DemoContext
from rides import services
from rides.models import Commute, Offer, SearchAlert
from rides.places import NEIGHBOURHOODS

TRIPS: tuple[tuple[str, str, int, int, bool], ...] = (
    # from, to, days ahead, hour, instant booking
    ("zona-universitaria", "poblenou", 1, 8, True),
    ("sants", "sagrada-familia", 1, 9, False),
    ("sarria", "barceloneta", 1, 18, True),
    ("horta", "les-corts", 2, 7, True),
    ("sant-andreu", "raval", 2, 8, False),
    ("gracia", "sant-marti", 2, 17, True),
    ("les-corts", "glories", 3, 8, True),
    ("poblenou", "zona-universitaria", 3, 19, False),
    ("eixample", "horta", 4, 10, True),
    ("sant-marti", "sants", 4, 16, True),
)


def seed(context: DemoContext) -> None:
    drivers = [m for m in context.members if m.in_good_standing]
    if len(drivers) < 3:
        context.write("rides: skipped (needs members)")
        return
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    made = 0
    for index, (start, end, days, hour, instant) in enumerate(TRIPS):
        driver = drivers[index % len(drivers)]
        (origin_label, origin), (dest_label, destination) = (
            NEIGHBOURHOODS[start],
            NEIGHBOURHOODS[end],
        )
        departs_at = datetime.combine(today + timedelta(days=days), time(hour), tzinfo=tz)
        if Offer.objects.filter(
            driver=driver,
            origin_label=origin_label,
            destination_label=dest_label,
            departs_at=departs_at,
        ).exists():
            continue
        services.offer_create(
            driver=driver,
            origin=services.Place(origin, origin_label),
            destination=services.Place(destination, dest_label),
            departs_at=departs_at,
            seats=context.random.choice([1, 2, 3]),
            instant_booking=instant,
            vehicle=context.random.choice(["Seat Ibiza", "Renault Zoe", "Toyota Corolla", ""]),
            fuel_type=context.random.choice(["petrol", "electric", "hybrid"]),
            bike=context.random.random() < 0.3,
            quiet=context.random.random() < 0.3,
        )
        made += 1
    commuter = drivers[-1]
    (from_label, from_point), (to_label, to_point) = (
        NEIGHBOURHOODS["sant-andreu"],
        NEIGHBOURHOODS["zona-universitaria"],
    )
    if not Commute.objects.filter(
        driver=commuter, origin_label=from_label, destination_label=to_label
    ).exists():
        services.commute_create(
            driver=commuter,
            origin=services.Place(from_point, from_label),
            destination=services.Place(to_point, to_label),
            weekdays=[1, 2, 3, 4, 5],
            departure_time=time(8, 0),
            until=today + timedelta(days=90),
            seats=2,
        )
    searcher = drivers[1]
    if not SearchAlert.objects.filter(member=searcher, label="Gràcia to Poblenou").exists():
        services.alert_create(
            member=searcher,
            origin=NEIGHBOURHOODS["gracia"][1],
            destination=NEIGHBOURHOODS["poblenou"][1],
            label="Gràcia to Poblenou",
        )
    context.write(f"rides: {made} new offers")
