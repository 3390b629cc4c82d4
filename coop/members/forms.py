from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest

from coop.members.models import User


class SignupDetailsForm(forms.Form):
    """The fields allauth's sign-up form adds to email and password."""

    display_name = forms.CharField(
        max_length=80,
        label="Your name",
        help_text="How other members see you. A first name is enough.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    preferred_language = forms.ChoiceField(
        choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE, label="Language"
    )

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError("Please tell us your name.")
        return name

    def signup(self, request: HttpRequest, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.preferred_language = self.cleaned_data["preferred_language"]
        user.save(update_fields=["display_name", "preferred_language"])
