from __future__ import annotations

from coop.exceptions import Conflict, InvalidInput, NotFound


class YearNotOver(InvalidInput):
    code = "year_not_over"
    default_message = "A fiscal year can only be closed once it has ended."


class CloseNotFound(NotFound):
    code = "surplus_close_not_found"
    default_message = "There is no close for that year yet."


class CloseStateError(Conflict):
    code = "surplus_close_state"
    default_message = "The close is not in a state that allows this."


class InvalidSplit(InvalidInput):
    code = "invalid_surplus_split"
    default_message = "The reserves and community shares cannot be applied."
