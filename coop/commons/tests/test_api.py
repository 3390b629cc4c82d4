from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from coop.commons.models import CityClient, DatasetRead
from coop.commons.services import token_hash
from coop.commons.tests.conftest import CELL_A, confirmed_exchange, consenting_members

DATASETS_URL = "/api/v1/city/datasets"
TIMEBANK_URL = "/api/v1/city/datasets/timebank-hours"


def _ten_member_month() -> None:
    members = consenting_members(10)
    for provider, receiver in zip(members[::2], members[1::2], strict=True):
        confirmed_exchange(provider=provider, receiver=receiver, minutes=90)


@pytest.mark.django_db
def test_it_refuses_a_request_without_a_token(client: Client) -> None:
    response = client.get(DATASETS_URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.django_db
def test_it_refuses_a_wrong_token(client: Client, city: tuple[CityClient, str]) -> None:
    response = client.get(DATASETS_URL, headers={"Authorization": "Bearer not-the-token"})
    assert response.status_code == 401


def test_it_refuses_a_member_session_on_the_city_feed(alice_client: Client) -> None:
    assert alice_client.get(DATASETS_URL).status_code == 401


@pytest.mark.django_db
def test_it_refuses_a_deactivated_client(client: Client, city: tuple[CityClient, str]) -> None:
    CityClient.objects.update(is_active=False)
    response = client.get(DATASETS_URL, headers={"Authorization": f"Bearer {city[1]}"})
    assert response.status_code == 401


def test_it_lists_the_datasets_with_their_privacy_method(
    client: Client, city_headers: dict[str, str]
) -> None:
    response = client.get(DATASETS_URL, headers=city_headers)
    assert response.status_code == 200
    by_slug = {d["slug"]: d for d in response.json()}
    assert set(by_slug) == {
        "stays-activity",
        "stays-nights-by-zone",
        "ride-flows",
        "rides-co2",
        "lending-loans",
        "timebank-hours",
    }
    assert by_slug["stays-activity"]["privacy"]["method"] == "legal_obligation"
    privacy = by_slug["ride-flows"]["privacy"]
    assert privacy["method"] == "k_anonymity"
    assert privacy["k"] == 10
    assert privacy["algorithm"] == {"slug": "commons.k_anonymity", "version": "1"}
    assert by_slug["rides-co2"]["formats"] == ["json", "csv"]


def test_every_read_is_logged(
    client: Client, city: tuple[CityClient, str], city_headers: dict[str, str]
) -> None:
    _ten_member_month()
    response = client.get(TIMEBANK_URL, {"period": "2026-03"}, headers=city_headers)
    assert response.status_code == 200
    body = response.json()
    assert body["rows"] == [
        {"category": "repairs", "cell": "r2442c78", "exchanges": 5, "hours": 7.5}
    ]
    read = DatasetRead.objects.get()
    assert (read.client, read.dataset, read.period, read.format, read.rows) == (
        city[0],
        "timebank-hours",
        "2026-03",
        "json",
        1,
    )


def test_it_serves_csv(client: Client, city_headers: dict[str, str]) -> None:
    _ten_member_month()
    response = client.get(
        TIMEBANK_URL, {"period": "2026-03", "format": "csv"}, headers=city_headers
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows == [{"category": "repairs", "cell": "r2442c78", "exchanges": "5", "hours": "7.5"}]


def test_it_serves_geojson_with_cells_as_polygons(
    client: Client, city_headers: dict[str, str]
) -> None:
    _ten_member_month()
    response = client.get(
        TIMEBANK_URL, {"period": "2026-03", "format": "geojson"}, headers=city_headers
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    (feature,) = collection["features"]
    assert feature["geometry"]["type"] == "Polygon"
    ring = feature["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1]
    lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
    assert min(lats) <= CELL_A[0] <= max(lats)
    assert min(lngs) <= CELL_A[1] <= max(lngs)


@pytest.mark.parametrize("period", ["2026-3", "March", "2026-13", ""])
def test_a_bad_period_is_refused_in_the_error_format(
    client: Client, city_headers: dict[str, str], period: str
) -> None:
    response = client.get(TIMEBANK_URL, {"period": period}, headers=city_headers)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "period" in error["fields"]
    assert not DatasetRead.objects.exists()


@pytest.mark.parametrize(
    ("url", "fmt"),
    [(TIMEBANK_URL, "xml"), ("/api/v1/city/datasets/rides-co2", "geojson")],
)
def test_a_bad_format_is_refused_in_the_error_format(
    client: Client, city_headers: dict[str, str], url: str, fmt: str
) -> None:
    response = client.get(url, {"period": "2026-03", "format": fmt}, headers=city_headers)
    assert response.status_code == 400
    assert "format" in response.json()["error"]["fields"]


def test_an_unknown_dataset_is_a_404(client: Client, city_headers: dict[str, str]) -> None:
    response = client.get(
        "/api/v1/city/datasets/members", {"period": "2026-03"}, headers=city_headers
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_the_command_prints_the_token_once_and_stores_only_its_hash(client: Client) -> None:
    out = io.StringIO()
    call_command("city_client_add", "Mobility department", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    stored = CityClient.objects.get(name="Mobility department")
    assert stored.token_hash == token_hash(token)
    assert token not in {stored.token_hash, stored.token_prefix}
    response = client.get(DATASETS_URL, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_a_dataset_costs_the_same_queries_with_more_rows(
    client: Client, city_headers: dict[str, str], django_assert_max_num_queries: Any
) -> None:
    _ten_member_month()
    _ten_member_month()
    with django_assert_max_num_queries(8):
        response = client.get(TIMEBANK_URL, {"period": "2026-03"}, headers=city_headers)
    assert response.json()["rows"][0]["exchanges"] == 10
