"""HTML forms of the lending pages."""

from __future__ import annotations

from django import forms

from lending.models import Category, Condition, PhotoStage


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    category = forms.ChoiceField(
        label="Category", required=False, choices=[("", "All categories"), *Category.choices]
    )
    radius_km = forms.IntegerField(
        label="Within (km of home)", required=False, min_value=1, max_value=100
    )
    available_from = forms.DateTimeField(
        label="Free from",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 3600}),
    )
    hours = forms.IntegerField(
        label="For how many hours", required=False, min_value=1, max_value=2160
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("hours") and not data.get("available_from"):
            self.add_error("available_from", "Say from when, or leave the hours empty.")
        return data


class ItemForm(forms.Form):
    title = forms.CharField(label="Title", max_length=120)
    category = forms.ChoiceField(label="Category", choices=Category.choices)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea)
    manual = forms.CharField(
        label="Manual, notes and safety advice", required=False, widget=forms.Textarea
    )
    condition = forms.ChoiceField(label="Condition", choices=Condition.choices)
    replacement_value_euros = forms.DecimalField(
        label="Replacement value (€)", min_value=0, max_digits=9, decimal_places=2, initial=0
    )
    deposit_euros = forms.DecimalField(
        label="Deposit (€)", min_value=0, max_digits=9, decimal_places=2, initial=0
    )
    min_hours = forms.IntegerField(label="Shortest loan (hours)", min_value=1, initial=1)
    max_hours = forms.IntegerField(label="Longest loan (hours)", min_value=1, initial=72)
    buffer_hours = forms.IntegerField(
        label="Gap between loans (hours)", min_value=0, max_value=168, initial=0
    )
    auto_approve = forms.BooleanField(label="Approve requests automatically", required=False)
    pickup_details = forms.CharField(
        label="Exact pickup place",
        max_length=300,
        required=False,
        help_text="Shown only to you and to borrowers you approve. Others see an approximate "
        "area near your home.",
    )
    checkout_prompts = forms.CharField(
        label="Check-out prompts",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, e.g. “Check the blade”.",
    )
    checkin_prompts = forms.CharField(
        label="Check-in prompts",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, e.g. “Empty the tank”.",
    )
    safety_check_every_days = forms.IntegerField(
        label="Safety check every (days)", required=False, min_value=1, max_value=3650
    )


class ReserveForm(forms.Form):
    starts_at = forms.DateTimeField(
        label="From",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 3600}),
        help_text="On the hour.",
    )
    hours = forms.IntegerField(label="For how many hours", min_value=1, max_value=2160)


class ExtendForm(forms.Form):
    hours = forms.IntegerField(label="Extra hours", min_value=1, max_value=2160)


def _photo_field(label: str, *, required: bool) -> forms.FileField:
    # A FileField, not an ImageField: coop.images does the real checking, once, everywhere.
    return forms.FileField(
        label=label,
        required=required,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text="JPEG, PNG or WebP. Location and camera details are removed.",
    )


class ItemPhotoForm(forms.Form):
    photo = _photo_field("Photo", required=True)
    alt_text = forms.CharField(
        label="What it shows",
        max_length=200,
        help_text="For people who cannot see the photo, e.g. “The drill with both batteries”.",
    )


class ConditionPhotoForm(forms.Form):
    stage = forms.ChoiceField(label="Handover", choices=PhotoStage.choices)
    photo = _photo_field("Photo of the condition", required=True)


def prompts_form(prompts: list[str], *, prefix: str, with_condition: bool) -> type[forms.Form]:
    """A check-out or check-in form: one required answer per prompt, a condition note and an
    optional photo (private evidence)."""
    fields: dict[str, forms.Field] = {}
    if with_condition:
        fields["condition"] = forms.ChoiceField(label="Condition now", choices=Condition.choices)
    for index, prompt in enumerate(prompts):
        fields[f"prompt_{index}"] = forms.CharField(label=prompt, max_length=300)
    fields["condition_note"] = forms.CharField(
        label="Condition note", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    fields["photo"] = _photo_field(
        "Photo of the condition (optional, seen only by you, the borrower and the board)",
        required=False,
    )
    if with_condition:
        fields["damaged"] = forms.BooleanField(
            label="Something is damaged or missing (you can then report it)", required=False
        )
    return type(f"{prefix.title()}Form", (forms.Form,), fields)


class DamageForm(forms.Form):
    description = forms.CharField(label="What is damaged or missing", widget=forms.Textarea)
    claimed_euros = forms.DecimalField(
        label="Amount claimed from the deposit (€)", min_value=0.01, max_digits=9, decimal_places=2
    )


class DecideForm(forms.Form):
    awarded_euros = forms.DecimalField(
        label="Amount the deposit pays the owner (€); 0 rejects the claim",
        min_value=0,
        max_digits=9,
        decimal_places=2,
    )


class WantedForm(forms.Form):
    title = forms.CharField(label="What do you need?", max_length=120)
    category = forms.ChoiceField(label="Category", choices=Category.choices)
