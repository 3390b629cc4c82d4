"""Template context every page needs: who we are."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    return {"COOP_NAME": settings.COOP_NAME}
