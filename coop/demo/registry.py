"""How apps contribute demo content.

Each app that has demo content exposes `<app>/demo.py` with

    def seed(context: DemoContext) -> None: ...

`seed_demo` calls them in INSTALLED_APPS order, so members exist before lending adds their items,
and so on. A seed function must be idempotent: look rows up by a natural key (an email, a
title and owner) and create only what is missing, so running the command twice changes nothing.

Every app gets its own `random.Random`, seeded from the demo seed and the app's label: the same
app always draws the same numbers, and an app that lands later does not reshuffle the people
or things an earlier one generated.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import module_has_submodule

if TYPE_CHECKING:
    from coop.members.models import User

DEMO_SEED = 2026
DEMO_MODULE = "demo"


@dataclass(frozen=True)
class DemoLogin:
    """An account the command prints at the end so people can try the product."""

    email: str
    password: str
    description: str


@dataclass
class DemoContext:
    """What a seed function gets. The lists are shared by every app's context."""

    random: random.Random
    write: Callable[[str], object]
    # Members in good standing (board included), found or created so far, in a stable order.
    members: list[User] = field(default_factory=list)
    board: list[User] = field(default_factory=list)
    applicants: list[User] = field(default_factory=list)
    logins: list[DemoLogin] = field(default_factory=list)
    created: Counter[str] = field(default_factory=Counter)
    existing: Counter[str] = field(default_factory=Counter)

    def tally(self, kind: str, *, created: bool) -> None:
        """Count one demo row of `kind` ("member", "item"...) as new or already there."""
        (self.created if created else self.existing)[kind] += 1


def demo_modules() -> list[tuple[str, ModuleType]]:
    """(app label, module) of every installed app with a demo module, in INSTALLED_APPS order."""
    found: list[tuple[str, ModuleType]] = []
    for app_config in apps.get_app_configs():
        name = f"{app_config.name}.{DEMO_MODULE}"
        # The project package's own `coop.demo` is this package, not demo content.
        if name == __package__ or not module_has_submodule(app_config.module, DEMO_MODULE):
            continue
        module = import_module(name)
        if not callable(getattr(module, "seed", None)):
            raise ImproperlyConfigured(f"{name} has no seed(context) function.")
        found.append((app_config.label, module))
    return found


def seed_demo(*, write: Callable[[str], object], seed: int = DEMO_SEED) -> DemoContext:
    """Run every app's demo seed. The caller owns the transaction."""
    # Reproducible on purpose (S311): demo data is not a secret.
    context = DemoContext(random=random.Random(seed), write=write)  # noqa: S311
    for label, module in demo_modules():
        # A str seed is hashed with SHA-512, so it does not depend on PYTHONHASHSEED.
        app_random = random.Random(f"{seed}:{label}")  # noqa: S311
        module.seed(replace(context, random=app_random))
    return context
