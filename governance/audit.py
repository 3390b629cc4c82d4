"""The board's audit log: append-only, each row chained to the one before by a hash.

`entry_hash = sha256(previous_hash + canonical JSON of the row)`, where the canonical JSON has
sorted keys, no spaces and the time in ISO 8601 (UTC, microseconds). The first row chains to 64
zeros. Changing, inserting or deleting any row breaks the chain from that row on, and
`manage.py audit_verify` names the first row where it breaks.

Other services record their board actions here:

    audit_record(actor=request.user, action="money.refund_approve", target=f"refund:{pk}",
                 details={"amount_cents": 1200})
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from coop.members.models import User
from governance.models import AuditLogEntry

GENESIS_HASH = "0" * 64
_APPEND_ATTEMPTS = 5


def _canonical(entry: AuditLogEntry) -> str:
    return json.dumps(
        {
            "created_at": entry.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": entry.actor_pk,
            "actor_label": entry.actor_label,
            "action": entry.action,
            "target": entry.target,
            "details": entry.details,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def entry_hash(entry: AuditLogEntry) -> str:
    return hashlib.sha256((entry.previous_hash + _canonical(entry)).encode()).hexdigest()


def audit_record(
    *, actor: User | None, action: str, target: str, details: dict[str, Any] | None = None
) -> AuditLogEntry:
    """Append one row to the chain. `details` must be JSON (strings, integers, lists, dicts)."""
    details = json.loads(json.dumps(details or {}))  # refuse what JSON cannot hold, early
    for attempt in range(_APPEND_ATTEMPTS):
        try:
            # A savepoint, so a lost race (another row chained to the same tail) can retry.
            with transaction.atomic():
                tail = AuditLogEntry.objects.order_by("-id").values_list("entry_hash", flat=True)
                entry = AuditLogEntry(
                    created_at=timezone.now(),
                    actor_pk=actor.pk if actor is not None else None,
                    actor_label=str(actor.email) if actor is not None else "system",
                    action=action,
                    target=target,
                    details=details,
                    previous_hash=tail.first() or GENESIS_HASH,
                )
                entry.entry_hash = entry_hash(entry)
                entry.save(force_insert=True)
                return entry
        except IntegrityError:
            if attempt == _APPEND_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def audit_verify() -> AuditLogEntry | None:
    """The first row whose hash or link does not hold, or None when the whole chain holds."""
    previous = GENESIS_HASH
    for entry in AuditLogEntry.objects.order_by("id").iterator():
        if entry.previous_hash != previous or entry_hash(entry) != entry.entry_hash:
            return entry
        previous = entry.entry_hash
    return None
