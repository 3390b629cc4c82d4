"""`manage.py city_client_add NAME`: create a city data client and print its token once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coop.commons.services import city_client_create
from coop.exceptions import DomainError


class Command(BaseCommand):
    help = "Create a city data client and print its bearer token (shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            client, token = city_client_create(name=options["name"])
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"Created city client {client.name!r}. Its token (shown only once):")
        self.stdout.write(token)
