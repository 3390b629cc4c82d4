from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from coop.exceptions import DomainError


def _policy_header(policy: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(values)}" for name, values in policy.items())


class ContentSecurityPolicyMiddleware:
    """Sets Content-Security-Policy on every response (Django 5.2 has no built-in CSP).

    A view may loosen the policy for itself by setting `response.csp_update = {"style-src":
    ["'unsafe-inline'"]}`; scripts stay 'self'-only everywhere.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = _policy_header(settings.CONTENT_SECURITY_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" in response.headers:
            return response
        update: dict[str, list[str]] | None = getattr(response, "csp_update", None)
        header = self.header
        if update:
            policy = {k: list(v) for k, v in settings.CONTENT_SECURITY_POLICY.items()}
            for name, values in update.items():
                if name == "script-src":
                    continue  # never loosen scripts
                policy.setdefault(name, []).extend(values)
            header = _policy_header(policy)
        response.headers["Content-Security-Policy"] = header
        return response


class ApiMethodNotAllowedMiddleware:
    """A wrong HTTP method on an API path answers in the API's error format.

    Django and ninja answer 405 with an empty HTML response before any API exception handler
    runs; clients of `/api/v1/` are promised `{"error": {...}}` for every 4xx.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith("/api/v1/")
            and "application/json" not in response.get("Content-Type", "")
        ):
            allowed = response.get("Allow", "")
            body = {
                "error": {
                    "code": "method_not_allowed",
                    "message": f"{request.method} is not allowed here (allowed: {allowed}).",
                    "fields": {},
                }
            }
            json_response = JsonResponse(body, status=405)
            json_response["Allow"] = allowed
            return json_response
        return response


class DomainErrorPageMiddleware:
    """A 404 or 403 domain error that escapes an HTML view answers 404 or 403, never a 500.

    Permission-checked fetchers raise `NotFound` for things the caller may not see; a view that
    forgets to turn it into Http404 would otherwise show charlie a server error (and log one).
    Other domain errors belong in the view's form errors, so they still surface as bugs. The
    API has its own handlers and never gets here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, DomainError):
            if exception.status == 404:
                raise Http404(exception.message) from exception
            if exception.status == 403:
                raise PermissionDenied(exception.message) from exception
