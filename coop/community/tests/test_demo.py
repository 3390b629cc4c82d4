from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from coop.community.models import CommunityProject, ProjectStatus
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
