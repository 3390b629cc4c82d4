"""The JSON API root: `/api/v1/`, its authentication, error format and pagination.

We use django-ninja: typed pydantic schemas in and out give request validation and an accurate
OpenAPI 3 document (`/api/v1/openapi.json`, browsable at `/api/v1/docs`) from the same code,
it runs sync and async views on Django's own request cycle (sessions, CSRF, middleware), and
allauth ships an `X-Session-Token` authenticator for it. Each app contributes a `Router` in its
`api.py`; this module mounts them.
"""

from __future__ import annotations

import logging
from typing import Any

from allauth.headless.contrib.ninja.security import XSessionTokenAuth
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import SessionAuth

from coop.api_parser import NulRefusingParser
from coop.exceptions import DomainError

logger = logging.getLogger(__name__)


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class ErrorOut(Schema):
    error: ErrorBody


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """`response=` entries documenting the error shape for the given statuses."""
    return dict.fromkeys(statuses, ErrorOut)


class AppSessionTokenAuth(XSessionTokenAuth):
    """allauth's headless `X-Session-Token`, also setting `request.user` like a session does."""

    # allauth declares only the type; OpenAPI needs where the key travels and under what name.
    openapi_in = "header"
    openapi_name = "X-Session-Token"

    def __call__(self, request: HttpRequest) -> Any:
        user = super().__call__(request)
        if user is not None:
            request.user = user
        return user


class CoopNinjaAPI(NinjaAPI):
    """Documents the error answers that every operation can give, whatever its handler does.

    Input is validated before any handler runs (400), a path naming nothing answers 404, and
    every authenticated operation can answer 401; clients and the fuzzing tests rely on the
    document listing them.
    """

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        error = {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation["responses"]
                parameters = operation.get("parameters", [])
                if parameters or operation.get("requestBody"):
                    responses.setdefault(400, {"description": "Bad Request", **error})
                # A path that names nothing (or not an integer where one is expected) is a 404.
                if any(parameter["in"] == "path" for parameter in parameters):
                    responses.setdefault(404, {"description": "Not Found", **error})
                if operation.get("security"):
                    responses.setdefault(401, {"description": "Unauthorized", **error})
        return schema


api = CoopNinjaAPI(
    title="Co-op platform API",
    version="1",
    description=(
        "The public JSON API of the co-op. Authenticate with the browser session (send the "
        "CSRF token on writes) or with an allauth headless app session token in "
        '`X-Session-Token`. Errors are `{"error": {"code", "message", "fields"}}`.'
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=[AppSessionTokenAuth(), SessionAuth()],
    parser=NulRefusingParser(),
)

_STATUS_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    429: "rate_limited",
}


def error_response(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return api.create_response(request, body, status=status)


def _field_name(location: list[Any] | tuple[Any, ...]) -> str:
    # ninja locations look like ("body", "payload", "home", "lat") or ("query", "page_size").
    parts = [str(part) for part in location]
    if parts and parts[0] in {"body", "query", "path", "form", "header", "cookie", "file"}:
        parts = parts[1:]
        if parts and parts[0] == "payload":
            parts = parts[1:]
    return ".".join(parts) or "__all__"


@api.exception_handler(ValidationError)
def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        message = str(error.get("msg", "Invalid value.")).removeprefix("Value error, ")
        fields.setdefault(_field_name(error.get("loc", ())), []).append(message)
    return error_response(
        request,
        status=400,
        code="invalid",
        message="Some of the input is not valid.",
        fields=fields,
    )


@api.exception_handler(MultiPartParserError)
def _on_unreadable_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # Django raises it while reading a malformed upload body; that is bad input, not our fault.
    return error_response(
        request, status=400, code="invalid", message="The multipart body could not be read."
    )


@api.exception_handler(DomainError)
def _on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(
        request, status=exc.status, code=exc.code, message=exc.message, fields=exc.fields
    )


@api.exception_handler(AuthenticationError)
def _on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        request, status=401, code="not_authenticated", message="Please sign in first."
    )


@api.exception_handler(HttpError)
def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, DomainError):
        # ninja wraps what the body parser raises ("Cannot parse request body"); say why.
        return _on_domain_error(request, exc.__cause__)
    code = _STATUS_CODES.get(exc.status_code, "error")
    if exc.status_code == 403 and "csrf" in str(exc).lower():
        code = "csrf_failed"
    return error_response(request, status=exc.status_code, code=code, message=str(exc))


@api.exception_handler(Http404)
def _on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, status=404, code="not_found", message="Not found.")


@api.exception_handler(PermissionDenied)
def _on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(
        request, status=403, code="forbidden", message=str(exc) or "You are not allowed to do that."
    )


@api.exception_handler(Exception)
def _on_unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error("Unhandled error in %s %s", request.method, request.path, exc_info=exc)
    return error_response(
        request,
        status=500,
        code="server_error",
        message="Something went wrong on our side. It has been logged.",
    )


def api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Unknown paths under /api/v1/ answer in the API's error format, not Django's HTML."""
    return error_response(
        request, status=404, code="not_found", message=f"No endpoint at /api/v1/{rest}."
    )


def _mount_routers() -> None:
    # Imported here because the routers import error_responses from this module.
    from coop.algorithms_api import router as algorithms_router  # noqa: PLC0415
    from coop.commons.api import router as city_router  # noqa: PLC0415
    from coop.community.api import router as community_router  # noqa: PLC0415
    from coop.members.api import me_router, members_router  # noqa: PLC0415
    from coop.money.api import coop_router, payments_router  # noqa: PLC0415
    from coop.notifications.api import router as notifications_router  # noqa: PLC0415
    from coop.surplus.api import router as surplus_router  # noqa: PLC0415
    from governance.api import router as governance_router  # noqa: PLC0415
    from lending.api import router as lending_router  # noqa: PLC0415
    from rides.api import router as rides_router  # noqa: PLC0415
    from stays.api import router as stays_router  # noqa: PLC0415
    from timebank.api import router as timebank_router  # noqa: PLC0415

    api.add_router("/me", me_router)
    api.add_router("/members", members_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/algorithms", algorithms_router)
    api.add_router("/coop/surplus", surplus_router)
    api.add_router("/coop", coop_router)
    api.add_router("/payments", payments_router)
    api.add_router("/timebank", timebank_router)
    api.add_router("/governance", governance_router)
    api.add_router("/lending", lending_router)
    api.add_router("/stays", stays_router)
    api.add_router("/rides", rides_router)
    api.add_router("/city", city_router)
    api.add_router("/community", community_router)


_mount_routers()
