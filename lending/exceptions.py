"""Domain errors of the lending service, each with a stable `code`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from coop.exceptions import Conflict, InvalidInput, NotAllowed


class NotAvailable(Conflict):
    """The window (with the item's buffer) clashes with another loan, or the item is out."""

    code = "not_available"
    default_message = "The item is not available for that time."

    def __init__(
        self,
        message: str | None = None,
        *,
        next_windows: Sequence[tuple[datetime, datetime | None]] = (),
    ) -> None:
        super().__init__(message)
        self.next_windows = list(next_windows)
        if self.next_windows:
            # ISO 8601 intervals; an open-ended window ("free from then on") ends with "/".
            self.fields = {
                "next_free_windows": [
                    f"{start.isoformat()}/{end.isoformat() if end else ''}"
                    for start, end in self.next_windows
                ]
            }
            first_start, first_end = self.next_windows[0]
            until = f" to {first_end:%Y-%m-%d %H:%M}" if first_end else ""
            self.message = f"{self.message} Next free: {first_start:%Y-%m-%d %H:%M}{until}."


class InvalidWindow(InvalidInput):
    code = "invalid_window"
    default_message = "The time window is not valid."


class OverdueLoan(Conflict):
    code = "overdue_loan"
    default_message = "Return your overdue loan before borrowing something else."


class InvalidTransition(Conflict):
    code = "invalid_state"
    default_message = "The reservation cannot do that in its current state."


class LendingNotAllowed(NotAllowed):
    code = "forbidden"
