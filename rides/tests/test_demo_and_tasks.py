from __future__ import annotations

from datetime import date, time, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from coop.members.models import User
from rides import services
from rides.models import Commute, Offer, SearchAlert
from rides.tasks import rides_commutes_extend
from rides.tests.conftest import POBLENOU, ZONA_UNIVERSITARIA

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_rides_between_neighbourhoods_once() -> None:
    call_command("demo_seed", "--demo-site", stdout=StringIO())
    counts = (Offer.objects.count(), Commute.objects.count(), SearchAlert.objects.count())

    call_command("demo_seed", "--demo-site", stdout=StringIO())

    assert counts == (Offer.objects.count(), Commute.objects.count(), SearchAlert.objects.count())
    assert counts[0] >= 15
    assert counts[1:] == (1, 1)


def test_the_daily_task_keeps_a_commute_two_weeks_ahead(alice: User) -> None:
    with time_machine.travel(date(2030, 3, 4), tick=False):  # a Monday
        commute = services.commute_create(
            driver=alice,
            origin=services.Place(ZONA_UNIVERSITARIA, "Zona Universitària"),
            destination=services.Place(POBLENOU, "Poblenou"),
            weekdays=[1, 3],
            departure_time=time(8, 30),
            until=date(2030, 5, 1),
            seats=2,
        )
        first = commute.offers.count()
    with time_machine.travel(date(2030, 3, 11), tick=False):
        made = rides_commutes_extend.call()
        again = rides_commutes_extend.call()

    assert first == 5  # Mon 4 (still ahead at midnight), Wed 6, Mon 11, Wed 13, Mon 18
    assert made == 2  # Wed 20, Mon 25
    assert again == 0
    last = commute.offers.order_by("departs_at").last()
    assert last is not None
    assert timezone.localtime(last.departs_at).date() <= date(2030, 3, 11) + timedelta(days=14)
