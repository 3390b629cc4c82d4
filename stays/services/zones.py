"""The board keeps the city's zones: names, outlines, licence formats and the link to the
parameter set whose values members vote on (the values themselves change only by vote).

Homes remember their zone; when an outline changes, every home inside the old or the new
bounding box is placed again, in the same transaction, so the city's rules follow the map.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.text import slugify

from coop.exceptions import Conflict, InvalidInput
from coop.members.models import User
from governance.audit import audit_record
from governance.board import board_action_check
from stays.models import Home, Zone
from stays.zones import bbox_of, policy_sets, polygon_clean, zone_for_point


@dataclass(slots=True)
class ZoneInput:
    name: str
    polygon: object
    policy_key: str = ""
    licence_pattern: str = ""
    description: str = ""


def _clean(data: ZoneInput) -> dict[str, object]:
    problems: dict[str, list[str]] = {}
    name = data.name.strip()
    if not name:
        problems["name"] = ["Give the zone a name."]
    if data.policy_key and data.policy_key not in policy_sets():
        problems["policy_key"] = [
            (
                "Not a declared set of zone parameters; leave it empty for the zone's own or the "
                "default rules."
            )
        ]
    try:
        re.compile(data.licence_pattern)
    except re.error as error:
        problems["licence_pattern"] = [f"Not a valid regular expression: {error}."]
    try:
        polygon = polygon_clean(data.polygon)
    except InvalidInput as error:
        problems.update(error.fields)
        polygon = []
    if problems:
        raise InvalidInput("The zone cannot be saved as it is.", fields=problems)
    return {
        "name": name[:120],
        "polygon": polygon,
        "policy_key": data.policy_key,
        "licence_pattern": data.licence_pattern.strip(),
        "description": data.description.strip(),
        **bbox_of(polygon),
    }


def _homes_replace(boxes: list[dict[str, float]]) -> int:
    """Place again every home inside any of `boxes`; returns how many changed zone."""
    moved = 0
    for box in boxes:
        homes = Home.objects.filter(
            lat__gte=box["min_lat"],
            lat__lte=box["max_lat"],
            lng__gte=box["min_lng"],
            lng__lte=box["max_lng"],
        ).only("pk", "lat", "lng", "zone_id")
        for home in homes:
            zone = zone_for_point(home.point)
            zone_id = zone.pk if zone is not None else None
            if zone_id != home.zone_id:
                moved += Home.objects.filter(pk=home.pk).update(zone_id=zone_id)
    return moved


def _bbox(zone: Zone) -> dict[str, float]:
    return {
        "min_lat": zone.min_lat,
        "max_lat": zone.max_lat,
        "min_lng": zone.min_lng,
        "max_lng": zone.max_lng,
    }


def zone_create(
    *, board_member: User, request: HttpRequest | None, slug: str, data: ZoneInput
) -> Zone:
    board_action_check(user=board_member, request=request)
    values = _clean(data)
    slug = slugify(slug or data.name)[:60]
    if not slug:
        raise InvalidInput(fields={"slug": ["Letters, digits and hyphens."]})
    with transaction.atomic():
        try:
            with transaction.atomic():
                zone = Zone.objects.create(slug=slug, **values)
        except IntegrityError:
            raise Conflict(
                "A zone with this slug exists.", fields={"slug": ["Already used."]}
            ) from None
        rezoned = _homes_replace([_bbox(zone)])
        audit_record(
            actor=board_member,
            action="stays.zone_create",
            target=f"stays.zone:{zone.pk}",
            details={"slug": zone.slug, "name": zone.name, "homes_rezoned": rezoned},
        )
    return zone


def zone_update(
    *, board_member: User, request: HttpRequest | None, zone: Zone, data: ZoneInput
) -> Zone:
    board_action_check(user=board_member, request=request)
    values = _clean(data)
    with transaction.atomic():
        old_box = _bbox(zone)
        before = {name: getattr(zone, name) for name in ("name", "policy_key", "licence_pattern")}
        outline_changed = zone.polygon != values["polygon"]
        for name, value in values.items():
            setattr(zone, name, value)
        zone.save()
        rezoned = _homes_replace([old_box, _bbox(zone)]) if outline_changed else 0
        audit_record(
            actor=board_member,
            action="stays.zone_update",
            target=f"stays.zone:{zone.pk}",
            details={
                "slug": zone.slug,
                "before": before,
                "after": {name: getattr(zone, name) for name in before},
                "outline_changed": outline_changed,
                "homes_rezoned": rezoned,
            },
        )
    return zone
