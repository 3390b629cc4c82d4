"""Helpers for HTML forms in the co-op's design."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms

from coop.exceptions import DomainError
from coop.money.amounts import Money, default_currency


def form_add_domain_error(
    form: forms.BaseForm, error: DomainError, *, rename: Mapping[str, str] | None = None
) -> None:
    """Show a service's refusal on the form: field problems next to their fields, the rest on top.

    `rename` maps the service's field names to the form's (a service says `lat`, the form has
    `home_lat`). Problems about fields the form does not have go to the top of the form, so no
    message is ever lost.
    """
    rename = rename or {}
    placed = False
    for name, problems in error.fields.items():
        field = rename.get(name, name)
        if field in form.fields:
            form.add_error(field, list(problems))
        else:
            form.add_error(None, list(problems))
        placed = True
    if not placed:
        form.add_error(None, error.message)


class CentsField(forms.DecimalField):
    """An amount typed in the co-op's currency ("12.50") that cleans to integer cents (1250).

    Members think in euros; services take cents. Initial values given in cents are shown in
    euros, so the same field works for new and edit forms.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_digits", 9)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return Money(value, default_currency()).to_decimal()
        return super().prepare_value(value)

    def clean(self, value: Any) -> int | None:
        amount = super().clean(value)
        if amount is None:
            return None
        return Money.from_decimal(Decimal(amount), default_currency()).cents
