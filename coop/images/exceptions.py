"""Errors of the image pipeline."""

from __future__ import annotations

from coop.exceptions import InvalidInput


class BadImage(InvalidInput):
    """The upload is not an image we accept (wrong format, damaged, too big, too many pixels)."""

    code = "bad_image"
    default_message = "The file is not a JPEG, PNG or WebP photo we can use."
