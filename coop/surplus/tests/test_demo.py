from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from coop.members.demo import DEMO_MEMBER_EMAIL
from coop.members.models import User
from coop.money.models import LedgerTransaction
from coop.surplus.models import CloseStatus, FiscalYearClose, PatronageLine

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("demo_seed", "--demo-site", stdout=out)
    return out.getvalue()


def test_the_demo_has_last_year_closed_and_paid_with_statements_that_sum_to_the_pool() -> None:
    output = _seed()
    year = timezone.localdate().year - 1
    close = FiscalYearClose.objects.get(year=year)
    assert close.status == CloseStatus.PAID
    assert close.revenue_cents > close.costs_cents > 0
    lines = PatronageLine.objects.filter(close=close)
    assert lines.count() >= 10
    assert sum(line.dividend_cents for line in lines) == close.dividend_cents
    assert lines.filter(to_capital=True).exists()
    assert f"surplus: the close of {year} is paid" in output

    transactions = LedgerTransaction.objects.count()
    again = _seed()
    assert LedgerTransaction.objects.count() == transactions
    assert "0 fees booked" in again


def test_a_demo_member_reads_their_statement_on_the_page() -> None:
    _seed()
    client = Client()
    member = User.objects.get(email=DEMO_MEMBER_EMAIL)
    client.force_login(member)
    response = client.get("/surplus/")
    assert response.status_code == 200
    assert str(timezone.localdate().year - 1) in response.content.decode()
