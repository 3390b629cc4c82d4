"""Errors the timebank raises, each with a stable `code` clients can switch on."""

from __future__ import annotations

from coop.exceptions import Conflict, InvalidInput, NotAllowed, NotFound


class BalanceLimit(Conflict):
    """A transfer would take the payer below its minimum or the payee above its maximum."""

    code = "balance_limit"
    default_message = "That would take a balance past its limit."

    def __init__(self, message: str, *, possible_minutes: int) -> None:
        super().__init__(message, fields={"minutes": [message]})
        self.possible_minutes = possible_minutes


class InvalidMinutes(InvalidInput):
    code = "invalid_minutes"
    default_message = "Minutes must be a whole, positive number."


class UnknownMember(InvalidInput):
    code = "unknown_member"
    default_message = "There is no member in good standing with that id."


class SelfTransfer(InvalidInput):
    code = "self_transfer"
    default_message = "You cannot exchange hours with yourself."


class TimebankNotAllowed(NotAllowed):
    code = "not_allowed"


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = "That step is not possible in the exchange's current state."


class AlreadyEndorsed(Conflict):
    code = "already_endorsed"
    default_message = "You have already endorsed this exchange."


class PostNotFound(NotFound):
    code = "not_found"
    default_message = "No timebank post with that id."
