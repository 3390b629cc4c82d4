"""`manage.py audit_verify`: check the board audit log's hash chain end to end."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from governance.audit import audit_verify
from governance.models import AuditLogEntry


class Command(BaseCommand):
    help = "Verify the hash chain of the board's audit log; exits non-zero at the first bad row."

    def handle(self, *args: Any, **options: Any) -> None:
        bad = audit_verify()
        if bad is not None:
            raise CommandError(
                f"Audit log chain broken at entry {bad.pk} ({bad.action} {bad.target}, "
                f"{bad.created_at.isoformat()}): it was changed, or a row before it was."
            )
        count = AuditLogEntry.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Audit log intact: {count} entries verified."))
