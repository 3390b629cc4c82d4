"""Helpers for HTML forms in the co-op's design."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from coop.exceptions import DomainError


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
