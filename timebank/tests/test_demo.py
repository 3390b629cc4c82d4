from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from timebank.models import Chore, Exchange, ExchangeStatus, Post, Transfer

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_posts_exchanges_and_chores_once_and_the_ledger_checks_out() -> None:
    call_command("demo_seed", "--demo-site", stdout=StringIO())
    counts = (Post.objects.count(), Exchange.objects.count(), Chore.objects.count())

    call_command("demo_seed", "--demo-site", stdout=StringIO())

    assert counts == (Post.objects.count(), Exchange.objects.count(), Chore.objects.count())
    assert counts[0] >= 10
    assert Exchange.objects.filter(status=ExchangeStatus.CONFIRMED).count() >= 3
    assert Transfer.objects.count() == Exchange.objects.count()
    call_command("timebank_check", stdout=StringIO())
