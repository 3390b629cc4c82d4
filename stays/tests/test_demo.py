from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from coop.community.models import CommunityProject, ProjectStatus
from stays.models import Listing, Zone

pytestmark = pytest.mark.django_db


def test_the_demo_has_districts_projects_and_listings_and_seeds_once() -> None:
    out = StringIO()
    call_command("demo_seed", "--demo-site", stdout=out)
    listings = Listing.objects.count()
    call_command("demo_seed", "--demo-site", stdout=StringIO())

    assert Zone.objects.count() == 10
    assert CommunityProject.objects.filter(status=ProjectStatus.APPROVED).count() == 3
    assert listings >= 4
    assert Listing.objects.count() == listings
    assert all(listing.home.zone is not None for listing in Listing.objects.all())
    assert "stays: 10 zones" in out.getvalue()
