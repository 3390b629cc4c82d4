"""The board keeps the zones (name, outline, licence format, link to voted rules): guarded,
audited, bad outlines refused with clear errors, homes placed again when an outline moves."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from coop.exceptions import InvalidInput
from coop.members.models import User
from governance.audit import AuditLogEntry
from governance.exceptions import BoardOnly
from stays.models import Listing, Zone
from stays.services.zones import ZoneInput, zone_create, zone_update
from stays.tests.conftest import EIXAMPLE
from stays.zones import polygon_clean, zone_policy

API = "/api/v1/stays/zones"
# A small square around the Eixample test point.
SQUARE = [[41.39, 2.16], [41.39, 2.17], [41.395, 2.17], [41.395, 2.16]]


@pytest.fixture
def no_mfa(settings: Any) -> None:
    settings.BOARD_MFA_REQUIRED = False  # service calls without a request; pages test the guard


@pytest.mark.parametrize(
    ("polygon", "problem"),
    [
        ("not a list", "list of [latitude, longitude] pairs"),
        ([[41.39, 2.16], [41.39, 2.17]], "At least three"),
        ([[41.39, 2.16], [41.39, "x"], [41.4, 2.17]], "Vertex 2 is not"),
        ([[41.39, 2.16], [141.39, 2.17], [41.4, 2.17]], "Vertex 2 is off the globe"),
        ([[41.39, 2.16], [41.39, 2.17], [41.39, 2.18]], "no area"),
        ([[41.39, 2.16], [41.40, 2.17], [41.39, 2.17], [41.40, 2.16]], "cross"),
        ([[41.39, 2.16], [41.39, 2.17], [41.39, 2.16], [41.40, 2.16]], "repeated"),
    ],
)
def test_bad_outlines_are_refused_with_what_is_wrong(polygon: object, problem: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        polygon_clean(polygon)
    assert problem in refused.value.fields["polygon"][0]


def test_a_closed_ring_is_accepted_without_its_repeated_first_vertex() -> None:
    assert polygon_clean([*SQUARE, SQUARE[0]]) == SQUARE


def test_only_the_board_edits_zones_and_every_change_is_audited(
    board: User, charlie: User, zones: dict[str, Zone], no_mfa: None
) -> None:
    zone = zones["eixample"]
    data = ZoneInput(name="L'Eixample", polygon=zone.polygon, licence_pattern=zone.licence_pattern)
    with pytest.raises(BoardOnly):
        zone_update(board_member=charlie, request=None, zone=zone, data=data)

    zone = zone_update(board_member=board, request=None, zone=zone, data=data)

    assert zone.name == "L'Eixample"
    entry = AuditLogEntry.objects.get(action="stays.zone_update")
    assert entry.details["before"]["name"] == "Eixample"
    assert entry.details["after"]["name"] == "L'Eixample"


def test_a_new_zone_takes_the_homes_inside_and_follows_the_rules_it_is_linked_to(
    board: User, listing: Listing, no_mfa: None
) -> None:
    assert listing.home.zone is not None
    assert listing.home.zone.slug == "eixample"

    zone = zone_create(
        board_member=board,
        request=None,
        slug="",
        data=ZoneInput(name="Sagrada Familia", polygon=SQUARE, policy_key="ciutat_vella"),
    )

    listing.home.refresh_from_db()
    assert zone.slug == "sagrada-familia"
    assert listing.home.zone == zone  # the smaller zone is the more specific one
    assert (
        zone_policy(zone).max_nights
        == zone_policy(Zone.objects.get(slug="ciutat-vella")).max_nights
    )
    assert AuditLogEntry.objects.get(action="stays.zone_create").details["homes_rezoned"] == 1


def test_moving_an_outline_places_the_homes_again(
    board: User, listing: Listing, zones: dict[str, Zone], no_mfa: None
) -> None:
    zone = zone_create(
        board_member=board, request=None, slug="block", data=ZoneInput(name="Block", polygon=SQUARE)
    )
    far = [[lat + 0.5, lng] for lat, lng in SQUARE]
    zone_update(
        board_member=board, request=None, zone=zone, data=ZoneInput(name="Block", polygon=far)
    )

    listing.home.refresh_from_db()
    assert listing.home.zone == zones["eixample"]


def test_an_unknown_rules_link_and_a_bad_licence_format_are_refused(
    board: User, zones: dict[str, Zone], no_mfa: None
) -> None:
    with pytest.raises(InvalidInput) as refused:
        zone_update(
            board_member=board,
            request=None,
            zone=zones["gracia"],
            data=ZoneInput(
                name="Gràcia", polygon=SQUARE, policy_key="atlantis", licence_pattern="HUTB-(\\d"
            ),
        )
    assert set(refused.value.fields) == {"policy_key", "licence_pattern"}


def test_the_board_pages_list_and_edit_zones(
    zones: dict[str, Zone], board_mfa_client: Client, charlie_client: Client
) -> None:
    zone = zones["gracia"]
    assert charlie_client.get("/stays/board/zones/").status_code == 404
    assert charlie_client.post(f"/stays/board/zones/{zone.pk}/", {}).status_code == 404
    listed = board_mfa_client.get("/stays/board/zones/")
    assert listed.status_code == 200
    assert "stays.zone.gracia" in listed.content.decode()

    form = {"name": "Gràcia", "polygon": "[[41.39, 2.16], [41.39]]", "policy_key": ""}
    refused = board_mfa_client.post(f"/stays/board/zones/{zone.pk}/", form)
    assert refused.status_code == 200
    assert "Vertex 2 is not" in refused.content.decode()

    form["polygon"] = str(SQUARE)
    saved = board_mfa_client.post(f"/stays/board/zones/{zone.pk}/", form)
    assert saved.status_code == 302
    zone.refresh_from_db()
    assert zone.polygon == SQUARE

    created = board_mfa_client.post(
        "/stays/board/zones/new/", {**form, "name": "Vila de Gràcia", "slug": "vila"}
    )
    assert created.status_code == 302
    assert Zone.objects.filter(slug="vila").exists()


def test_the_api_shows_zones_to_members_and_lets_only_the_board_change_them(
    zones: dict[str, Zone],
    board_mfa_client: Client,
    charlie_client: Client,
    django_assert_max_num_queries: Any,
) -> None:
    zone = zones["eixample"]
    with django_assert_max_num_queries(8):
        listed = charlie_client.get(API).json()
    assert {z["slug"] for z in listed} == set(zones)
    one = charlie_client.get(f"{API}/{zone.pk}").json()
    assert one["policy_set"] == "eixample"
    assert one["policy"]["licence_required"] is True

    body = {"name": "Eixample", "polygon": SQUARE, "policy_key": "gracia"}
    refused = charlie_client.put(f"{API}/{zone.pk}", body, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "board_only"

    bad = board_mfa_client.put(
        f"{API}/{zone.pk}", {**body, "polygon": [[1, 2]]}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert "polygon" in bad.json()["error"]["fields"]

    changed = board_mfa_client.put(f"{API}/{zone.pk}", body, content_type="application/json")
    assert changed.status_code == 200
    assert changed.json()["policy_set"] == "gracia"

    created = board_mfa_client.post(
        API, {**body, "name": "Nova", "slug": "nova"}, content_type="application/json"
    )
    assert created.status_code == 201
    duplicate = board_mfa_client.post(
        API, {**body, "name": "Nova", "slug": "nova"}, content_type="application/json"
    )
    assert duplicate.status_code == 409


def test_the_eixample_point_is_inside_the_test_square() -> None:
    lat, lng = EIXAMPLE
    assert SQUARE[0][0] <= lat <= SQUARE[2][0]
    assert SQUARE[0][1] <= lng <= SQUARE[1][1]
