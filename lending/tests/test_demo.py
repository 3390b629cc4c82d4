from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from lending.models import Item, Reservation, Wanted

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_tools_around_barcelona_and_a_common_store_once() -> None:
    call_command("demo_seed", "--demo-site", stdout=StringIO())
    counts = (Item.objects.count(), Reservation.objects.count(), Wanted.objects.count())

    call_command("demo_seed", "--demo-site", stdout=StringIO())

    assert counts == (Item.objects.count(), Reservation.objects.count(), Wanted.objects.count())
    assert Item.objects.filter(is_common_store=True, owner=None).count() == 3
    assert Item.objects.filter(owner__isnull=False).count() >= 6
    assert counts[1] >= 3
    for item in Item.objects.all():
        assert 41.2 < item.pickup_lat < 41.6
        assert 1.9 < item.pickup_lng < 2.4
