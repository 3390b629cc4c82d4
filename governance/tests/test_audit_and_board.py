"""The board guard (board only, MFA) and the hash-chained audit log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client, RequestFactory, override_settings

from coop.members.models import User
from governance.audit import GENESIS_HASH, audit_record, audit_verify
from governance.board import board_action_check
from governance.exceptions import BoardOnly, MfaRequired
from governance.models import AuditLogEntry
from governance.tests.conftest import pass_mfa

pytestmark = pytest.mark.django_db

TRIGGER = "governance_auditlogentry_append_only"


def _request_for(client: Client) -> object:
    request = RequestFactory().get("/")
    request.session = client.session
    return request


def test_the_board_guard_refuses_members_who_are_not_on_the_board(
    charlie: User, charlie_client: Client
) -> None:
    pass_mfa(charlie_client, charlie)

    with pytest.raises(BoardOnly):
        board_action_check(user=charlie, request=_request_for(charlie_client))  # type: ignore[arg-type]


def test_the_board_guard_refuses_a_board_session_without_mfa(
    board: User, board_client: Client
) -> None:
    with pytest.raises(MfaRequired):
        board_action_check(user=board, request=_request_for(board_client))  # type: ignore[arg-type]


def test_the_board_guard_accepts_a_board_session_that_passed_mfa(
    board: User, board_mfa_client: Client
) -> None:
    board_action_check(user=board, request=_request_for(board_mfa_client))  # type: ignore[arg-type]


def test_mfa_records_of_another_user_do_not_count(
    board: User, alice: User, board_client: Client
) -> None:
    pass_mfa(board_client, alice)

    with pytest.raises(MfaRequired):
        board_action_check(user=board, request=_request_for(board_client))  # type: ignore[arg-type]


@override_settings(BOARD_MFA_REQUIRED=False)
def test_the_mfa_requirement_can_be_switched_off(board: User, board_client: Client) -> None:
    board_action_check(user=board, request=_request_for(board_client))  # type: ignore[arg-type]


def test_audit_entries_chain_by_hash_and_the_chain_verifies(board: User) -> None:
    first = audit_record(actor=board, action="money.refund_approve", target="refund:1")
    second = audit_record(
        actor=None, action="governance.parameter_set", target="parameter:x", details={"value": 3}
    )

    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.entry_hash
    assert audit_verify() is None
    call_command("audit_verify")


@contextmanager
def _trigger_dropped() -> Iterator[None]:
    """What a database owner could do: switch off the append-only trigger (PostgreSQL)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE governance_auditlogentry DISABLE TRIGGER {TRIGGER}")
        try:
            yield
        finally:
            cursor.execute(f"ALTER TABLE governance_auditlogentry ENABLE TRIGGER {TRIGGER}")


def test_audit_verify_names_the_first_tampered_row(board: User) -> None:
    entries = [
        audit_record(actor=board, action="timebank.dispute_resolve", target=f"dispute:{n}")
        for n in range(4)
    ]
    # Someone with database access edits a row behind the application's back.
    with _trigger_dropped():
        AuditLogEntry.objects.filter(pk=entries[2].pk).update(details={"forged": True})

    bad = audit_verify()

    assert bad is not None
    assert bad.pk == entries[2].pk
    with pytest.raises(CommandError, match=f"entry {entries[2].pk}"):
        call_command("audit_verify")


def test_audit_verify_detects_a_deleted_row(board: User) -> None:
    entries = [audit_record(actor=board, action="a.b", target=str(n)) for n in range(3)]
    with _trigger_dropped():
        AuditLogEntry.objects.filter(pk=entries[1].pk)._raw_delete(AuditLogEntry.objects.db)

    bad = audit_verify()

    assert bad is not None
    assert bad.pk == entries[2].pk


def test_audit_entries_cannot_be_changed_or_deleted_through_the_model(board: User) -> None:
    entry = audit_record(actor=board, action="a.b", target="x")
    entry.target = "y"

    with pytest.raises(TypeError, match="append-only"):
        entry.save()
    with pytest.raises(TypeError, match="append-only"):
        entry.delete()


@pytest.mark.postgres
def test_postgresql_refuses_to_update_an_audit_row(board: User) -> None:
    entry = audit_record(actor=board, action="a.b", target="x")

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditLogEntry.objects.filter(pk=entry.pk).update(target="y")
