"""`manage.py demo_seed`: fill the database with a realistic co-op in Barcelona.

Every installed app adds its own part through its `demo.py` (see coop.demo.registry). Running it
again creates nothing new and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from coop.demo.registry import DEMO_SEED, seed_demo


class Command(BaseCommand):
    help = "Create demo members and content for a co-op in Barcelona (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo-site",
            action="store_true",
            help=(
                "Seed even though DEBUG is off, for a public demo site. Never on the co-op's "
                "real database: it creates accounts whose passwords are published."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["demo_site"]:
            raise CommandError(
                "DEBUG is off, so this may be a real co-op's database, and the demo accounts have "
                "published passwords. Pass --demo-site if this is a demo site."
            )
        # All or nothing: a failure half-way leaves no half-seeded co-op behind.
        with transaction.atomic():
            context = seed_demo(write=self.stdout.write, seed=DEMO_SEED)
        created, existing = context.created.total(), context.existing.total()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {created} rows created, {existing} already there."
            )
        )
        if context.logins:
            self.stdout.write("Log in as:")
            for login in context.logins:
                self.stdout.write(f"  {login.email} / {login.password}  ({login.description})")
