"""`/api/v1/city/`: the city's read access to the open datasets, and its webhook endpoints.

Authenticated only by a city client's bearer token (`Authorization: Bearer <token>`), never by a
member session: a city client is not a member and a member cannot read the city feed.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from ninja.security import HttpBearer

from coop.api import error_responses
from coop.commons import services
from coop.commons.datasets import DATASETS, Extract, dataset_extract, dataset_get, month_parse
from coop.commons.models import CityClient, DataFormat, EventKind, WebhookEndpoint
from coop.exceptions import InvalidInput


class CityTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> CityClient | None:
        return services.city_client_for_token(token)


router = Router(tags=["city data commons"], auth=CityTokenAuth())


class DatasetOut(Schema):
    slug: str
    title: str
    description: str
    formats: list[str]
    privacy: dict[str, Any]


class WebhookIn(Schema):
    url: str
    events: list[str]


class WebhookOut(Schema):
    id: int
    url: str
    events: list[str]
    is_active: bool


class WebhookCreatedOut(WebhookOut):
    secret: str


def _client(request: HttpRequest) -> CityClient:
    client = request.auth  # type: ignore[attr-defined]
    assert isinstance(client, CityClient)
    return client


@router.get(
    "/datasets", response={200: list[DatasetOut], **error_responses(401)}, summary="Datasets"
)
def datasets_list(request: HttpRequest) -> list[DatasetOut]:
    return [
        DatasetOut(
            slug=d.slug,
            title=d.title,
            description=d.description,
            formats=d.formats,
            privacy=d.privacy(),
        )
        for d in DATASETS.values()
    ]


def _as_json(extract: Extract) -> dict[str, Any]:
    return {
        "dataset": extract.dataset.slug,
        "period": extract.month.period,
        "privacy": extract.privacy,
        "rows": [row.values for row in extract.rows],
    }


def _as_csv(extract: Extract) -> str:
    buffer = io.StringIO()
    columns = list(extract.rows[0].values) if extract.rows else []
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(row.values for row in extract.rows)
    return buffer.getvalue()


def _as_geojson(extract: Extract) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "dataset": extract.dataset.slug,
        "period": extract.month.period,
        "privacy": extract.privacy,
        "features": [
            {"type": "Feature", "geometry": row.geometry, "properties": row.values}
            for row in extract.rows
        ],
    }


@router.get(
    "/datasets/{slug}",
    response={200: dict[str, Any], **error_responses(400, 401, 404)},
    summary="One month of a dataset",
)
def dataset_read(
    request: HttpRequest, slug: str, period: str, format: str = "json"
) -> HttpResponse | dict[str, Any]:
    dataset = dataset_get(slug)
    month = month_parse(period)
    if format not in dataset.formats:
        raise InvalidInput(
            f"{dataset.title} is available as {', '.join(dataset.formats)}.",
            fields={"format": [f"Choose one of: {', '.join(dataset.formats)}."]},
        )
    extract = dataset_extract(dataset=dataset, month=month)
    services.dataset_read_log(
        client=_client(request),
        dataset=slug,
        period=month.period,
        format=format,
        rows=len(extract.rows),
    )
    filename = f"{slug}-{month.period}"
    if format == DataFormat.CSV:
        response = HttpResponse(_as_csv(extract), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    if format == DataFormat.GEOJSON:
        return HttpResponse(json.dumps(_as_geojson(extract)), content_type="application/geo+json")
    return _as_json(extract)


def _webhook_out(endpoint: WebhookEndpoint) -> WebhookOut:
    return WebhookOut(
        id=endpoint.pk, url=endpoint.url, events=endpoint.events, is_active=endpoint.is_active
    )


@router.get("/webhooks", response={200: list[WebhookOut], **error_responses(401)})
def webhooks_list(request: HttpRequest) -> list[WebhookOut]:
    return [_webhook_out(e) for e in _client(request).endpoints.filter(is_active=True)]


@router.post(
    "/webhooks",
    response={201: WebhookCreatedOut, **error_responses(400, 401)},
    summary="Register a webhook endpoint (the signing secret is shown once)",
    description="Events: " + ", ".join(EventKind.values),
)
def webhook_register(request: HttpRequest, payload: WebhookIn) -> Status:
    endpoint = services.webhook_endpoint_register(
        client=_client(request), url=payload.url, events=payload.events
    )
    return Status(
        201, WebhookCreatedOut(**_webhook_out(endpoint).model_dump(), secret=endpoint.secret)
    )
