"""Consents for the city data commons in a member's export; withdrawn when the member leaves."""

from __future__ import annotations

from typing import Any

from coop.commons.models import Consent
from coop.members.models import User
from coop.members.privacy_registry import privacy_register


def export(member: User) -> dict[str, Any]:
    rows = Consent.objects.filter(member=member).order_by("purpose")
    return {
        "consents": [
            {"purpose": row.purpose, "granted": row.granted, "updated_at": row.updated_at}
            for row in rows
        ]
    }


def anonymise(member: User) -> None:
    # No consent survives the person: nothing of theirs enters optional datasets any more.
    Consent.objects.filter(member=member).delete()


privacy_register(section="city_data", export=export, anonymise=anonymise)
