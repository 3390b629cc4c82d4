"""Members' own data: every app that holds personal data contributes its part here.

Each such app has a `privacy.py` that calls `privacy_register(...)` at import time with:
- `export(member) -> dict`: everything the app holds about the member, as JSON-ready data;
- `anonymise(member) -> None`: removes what identifies the member, keeping the rows that other
  members' records or the ledgers depend on (entries stay; the person becomes "Former member");
- `obligations(member) -> list[str]` (optional): plain sentences naming what must be settled
  before the member can leave (a loan out, a stay ahead, a balance), so deletion never strands
  another member.
- `locks(member) -> list[Model]` (optional): the rows the app's own writes lock before they give
  the member a new obligation (their ledger accounts, say). `member_delete` locks these, then the
  member's row, before it reads the obligations: a write under way finishes first and is seen,
  a later one waits and then finds the member gone.

The modules are discovered the first time the registry is read, like governance parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.utils.module_loading import autodiscover_modules

from coop.members.models import User


@dataclass(frozen=True, slots=True)
class PrivacySection:
    section: str
    export: Callable[[User], dict[str, Any]]
    anonymise: Callable[[User], None]
    obligations: Callable[[User], list[str]] | None = None
    locks: Callable[[User], Sequence[Model]] | None = None
    # Lower runs first when anonymising; the member's own profile (which other apps may still
    # read while they anonymise) goes last.
    order: int = 100


_REGISTRY: dict[str, PrivacySection] = {}
_discovered = False


def privacy_register(
    *,
    section: str,
    export: Callable[[User], dict[str, Any]],
    anonymise: Callable[[User], None],
    obligations: Callable[[User], list[str]] | None = None,
    locks: Callable[[User], Sequence[Model]] | None = None,
    order: int = 100,
) -> PrivacySection:
    entry = PrivacySection(section, export, anonymise, obligations, locks, order)
    existing = _REGISTRY.get(section)
    if existing is not None and existing != entry:
        raise ValueError(f"Privacy section {section} is registered twice.")
    _REGISTRY[section] = entry
    return entry


def privacy_sections() -> list[PrivacySection]:
    global _discovered  # noqa: PLW0603 (discovery happens once per process)
    if not _discovered:
        autodiscover_modules("privacy")
        _discovered = True
    return sorted(_REGISTRY.values(), key=lambda entry: (entry.order, entry.section))


def privacy_export(member: User) -> dict[str, Any]:
    """All the member's data, one key per app section."""
    return {entry.section: entry.export(member) for entry in privacy_sections()}


def privacy_obligations(member: User) -> list[str]:
    found: list[str] = []
    for entry in privacy_sections():
        if entry.obligations is not None:
            found += entry.obligations(member)
    return found


def privacy_locks(member: User) -> list[Model]:
    """The rows every app wants locked while the member's obligations are read."""
    found: list[Model] = []
    for entry in privacy_sections():
        if entry.locks is not None:
            found += entry.locks(member)
    return found


def privacy_anonymise(member: User) -> None:
    """Caller holds the transaction and has checked `privacy_obligations`."""
    for entry in privacy_sections():
        entry.anonymise(member)
