"""The guard in front of every board-only action, for every service.

    from governance.board import board_action_check
    board_action_check(user=request.user, request=request)   # raises 403 otherwise

It refuses anyone who is not a board member in good standing (403 `board_only`) and, when
`settings.BOARD_MFA_REQUIRED` is on (the default whenever DEBUG is off), a session that did not
pass two-factor authentication (403 `mfa_required`). allauth records each way a session
authenticated; a second factor appears as a record with method "mfa". Record the action itself
with governance.audit.audit_record.
"""

from __future__ import annotations

from typing import Any

from allauth.account.authentication import get_authentication_records
from django.conf import settings
from django.http import HttpRequest

from governance.exceptions import BoardOnly, MfaRequired


def board_mfa_required() -> bool:
    return bool(getattr(settings, "BOARD_MFA_REQUIRED", not settings.DEBUG))


def session_passed_mfa(request: HttpRequest | None, user: Any) -> bool:
    if request is None or not hasattr(request, "session"):
        return False
    # allauth only returns records stored for this same user.
    records: list[dict[str, Any]] = get_authentication_records(request, user)
    return any(record.get("method") == "mfa" for record in records)


def board_action_check(*, user: Any, request: HttpRequest | None) -> None:
    """Raise unless `user` may take a board action from this request's session."""
    if (
        not getattr(user, "is_authenticated", False)
        or not user.is_board
        or not user.in_good_standing
    ):
        raise BoardOnly()
    if board_mfa_required() and not session_passed_mfa(request, user):
        raise MfaRequired()


def board_action_required(request: HttpRequest) -> None:
    """The same check for a view that has the request at hand."""
    board_action_check(user=request.user, request=request)
