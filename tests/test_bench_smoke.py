"""The city generator (bench/generate_city.py) at a tiny scale, so CI keeps it working."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from bench.generate_city import DOMAIN, generate
from coop.members.models import User
from lending.models import Item
from rides import matching
from rides.models import Offer
from stays.models import Home, Listing
from stays.zones import polygon_contains, zone_policy
from timebank.models import Movement, TimeAccount, Transfer

pytestmark = pytest.mark.django_db


def test_a_tiny_city_keeps_every_invariant() -> None:
    start = datetime(2026, 12, 1, tzinfo=timezone.get_current_timezone())
    report = generate(scale=0.0005, seed=7, rides_start=start)

    members = User.objects.filter(email__endswith=f"@{DOMAIN}")
    assert members.count() == report.sizes.members == 25
    assert not members.filter(Q(home_lat=None) | Q(member_number=None)).exists()
    assert Item.objects.filter(title__gt="").count() >= report.sizes.items
    # Hosts list the home they live in, in a zone open to new listings, with a valid licence.
    for home in Home.objects.filter(host__email__endswith=f"@{DOMAIN}").select_related(
        "host", "zone"
    ):
        assert (home.lat, home.lng) == (home.host.home_lat, home.host.home_lng)
        assert home.zone is not None
        assert polygon_contains(home.zone.polygon, home.point)
        policy = zone_policy(home.zone)
        assert policy.new_listings
        assert all(
            policy.licence_ok(licence)
            for licence in home.listings.values_list("licence_number", flat=True)
        )
    assert Listing.objects.filter(host__email__endswith=f"@{DOMAIN}").count() == 10
    # Offers depart in the month asked for, within the cost cap, and their reach box covers
    # the route (otherwise the matcher's index would miss them).
    offers = Offer.objects.filter(driver__email__endswith=f"@{DOMAIN}")
    assert offers.count() == 50
    for offer in offers:
        assert start <= offer.departs_at < start + timedelta(days=30)
        for point in offer.route:
            assert offer.reach_min_lat <= point.lat <= offer.reach_max_lat
            assert offer.reach_min_lng <= point.lng <= offer.reach_max_lng
        assert matching.great_circle_km(offer.origin, offer.destination) >= 0.5
    # Timebank: two opposite movements per transfer, the running balance of every account
    # matches its movements in order, and the project's own checks pass.
    assert Transfer.objects.count() >= 500
    assert not Transfer.objects.annotate(n=Count("movements")).exclude(n=2).exists()
    for account in TimeAccount.objects.all()[:20]:
        running = 0
        for amount, after in account.movements.order_by("id").values_list(
            "amount_minutes", "balance_after_minutes"
        ):
            running += amount
            assert after == running
            assert running >= -600 or account.is_community
        assert account.balance_minutes == running
    call_command("timebank_check")
    call_command("ledger_check")
    assert Movement.objects.count() == 2 * Transfer.objects.count()


def test_it_refuses_to_generate_twice() -> None:
    generate(scale=0.0002, seed=1)
    with pytest.raises(Exception, match="already holds"):
        generate(scale=0.0002, seed=1)
