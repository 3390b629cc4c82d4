"""`manage.py member_add EMAIL --name NAME [--password P] [--board] [--home LAT,LNG]`

Creates a member in good standing (share paid offline) for boards that onboard people in person.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from coop.exceptions import DomainError
from coop.geo.points import Point
from coop.members.services import member_create


class Command(BaseCommand):
    help = "Create a member in good standing (share paid offline), with a verified email."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help="Display name.")
        parser.add_argument(
            "--password", help="Initial password. Without one, the member sets it by reset."
        )
        parser.add_argument("--board", action="store_true", help="Make them a board member.")
        parser.add_argument("--home", help="Home location as LAT,LNG (private).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            validate_email(options["email"])
        except ValidationError:
            raise CommandError(f"{options['email']!r} is not a valid email address.") from None
        try:
            home = Point.parse(options["home"]) if options["home"] else None
            member = member_create(
                email=options["email"],
                display_name=options["name"],
                password=options["password"],
                is_board=options["board"],
                home=home,
            )
        except DomainError as error:
            details = "; ".join(f"{field}: {' '.join(p)}" for field, p in error.fields.items())
            raise CommandError(f"{error.message} {details}".strip()) from None
        role = "board member" if member.is_board else "member"
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {role} #{member.member_number}: {member.display_name} <{member.email}>"
            )
        )
