from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from coop.community import selectors
from coop.community.models import CommunityProject, ProjectSpend, ProjectStatus
from stays.demo import PROJECTS as STAYS_PROJECTS

pytestmark = pytest.mark.django_db


def test_the_demo_projects_are_the_ones_stays_offers_with_an_amount_and_a_place() -> None:
    out = StringIO()
    call_command("demo_seed", "--demo-site", stdout=out)

    approved = CommunityProject.objects.filter(status=ProjectStatus.APPROVED)
    offered = {slug for slug, *_, is_approved in STAYS_PROJECTS if is_approved}
    assert set(approved.values_list("slug", flat=True)) == offered
    assert all(p.amount_cents > 0 and p.place is not None for p in approved)
    assert CommunityProject.objects.filter(status=ProjectStatus.PROPOSED).count() >= 2
    assert "community: 5 projects (5 new)" in out.getvalue()


def test_the_demo_projects_have_money_in_and_out_and_a_second_run_adds_none() -> None:
    call_command("demo_seed", "--demo-site", stdout=StringIO())
    garden = CommunityProject.objects.get(slug="horts-del-barri")
    money = selectors.project_money(garden)
    assert money.in_cents > money.out_cents > 0
    assert any(line.amount_cents < 0 for line in money.lines)
    spends = ProjectSpend.objects.count()
    assert spends >= 3

    out = StringIO()
    call_command("demo_seed", "--demo-site", stdout=out)
    assert ProjectSpend.objects.count() == spends
    assert selectors.project_money(garden) == money
    assert "community: 0 gifts and 0 spends booked" in out.getvalue()
