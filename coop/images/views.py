"""Serving stored photos from the site's own origin (the CSP allows `img-src 'self'` only)."""

from __future__ import annotations

import re

from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from coop.images.services import CONTENT_TYPE, OUTPUT_EXTENSION

# Names image_store writes: `<public|private>/<folder>/<token>[-thumb].webp`. Anything else
# (other files in the storage, `..`) is not a photo this module serves.
_NAME = re.compile(rf"^(?P<scope>public|private)/[a-z0-9_/-]+/[A-Za-z0-9_-]+\.{OUTPUT_EXTENSION}$")
# A year: names are random and never reused, so a stored photo never changes.
_FOREVER = 365 * 24 * 3600


def image_url(name: str) -> str:
    """Where the browser fetches a public photo."""
    return reverse("image_public", kwargs={"name": name})


def image_response(name: str, *, private: bool = True) -> HttpResponse:
    """The photo itself; the caller has checked that the requester may see it.

    Private answers may be kept by the member's browser but by no shared cache. Stored photos
    are a few hundred kilobytes at most, so they are read whole: no file stays open after the
    response is built, whatever the server does with it.
    """
    match = _NAME.match(name)
    if match is None or not default_storage.exists(name):
        raise Http404("No such photo.")
    with default_storage.open(name, "rb") as stored:
        response = HttpResponse(stored.read(), content_type=CONTENT_TYPE)
    scope = "private" if private else "public"
    response["Cache-Control"] = f"{scope}, max-age={_FOREVER}, immutable"
    return response


@require_safe
def image_public(request: HttpRequest, name: str) -> HttpResponse:
    """`/media/public/...`: public photos (item and listing pictures), for everyone.

    In production a proxy may serve MEDIA_ROOT/public/ at /media/public/ itself (README); it
    must never serve MEDIA_ROOT/private/.
    """
    match = _NAME.match(name)
    if match is None or match["scope"] != "public":
        raise Http404("No such photo.")
    return image_response(name, private=False)
