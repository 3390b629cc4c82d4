"""Reads of governance data."""

from __future__ import annotations


def parameter_current_value(*, key: str) -> int | None:
    """The latest value set by a decision for `key`, or None while the default applies.

    No decision can set a value yet: ballots and parameter-change proposals land with the
    governance issue, which stores versioned values and reads them here.
    """
    return None
