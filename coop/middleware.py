from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


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
