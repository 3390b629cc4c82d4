"""Domain errors: what a service raises when a request cannot be honoured.

Every error has a stable `code` (a slug clients can switch on), a message for people, optional
per-field problems, and the HTTP status the API answers with. The API's exception handler turns
them into the contract's `{"error": {"code", "message", "fields"}}` shape; HTML views show the
message and the field problems on the form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    code: str = "invalid"
    status: int = 400
    default_message: str = "The request could not be completed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: Mapping[str, Sequence[str]] | None = None,
        status: int | None = None,
    ) -> None:
        self.message = message or self.default_message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.fields: dict[str, list[str]] = {k: list(v) for k, v in (fields or {}).items()}
        super().__init__(self.message)


class InvalidInput(DomainError):
    code = "invalid"
    status = 400
    default_message = "Some of the input is not valid."


class NotAllowed(DomainError):
    code = "forbidden"
    status = 403
    default_message = "You are not allowed to do that."


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = "Not found."


class Conflict(DomainError):
    """The request is valid but clashes with the current state (booked, closed, over a limit)."""

    code = "conflict"
    status = 409
    default_message = "That conflicts with the current state."


class ResourceBusy(Conflict):
    code = "resource_busy"
    default_message = "Someone else is changing this right now. Please try again."
