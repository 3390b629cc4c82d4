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


class ProfileForm(forms.Form):
    """What a member says about themselves (the page at /members/me/)."""

    display_name = forms.CharField(
        max_length=80,
        label="Your name",
        help_text="How other members see you. A first name is enough.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    preferred_language = forms.ChoiceField(choices=settings.LANGUAGES, label="Language")
    bio = forms.CharField(
        required=False,
        max_length=2000,
        label="About you",
        help_text="A few words for the neighbours you lend to, host, ride with or help.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    skills = forms.CharField(
        required=False,
        max_length=2000,
        label="Skills",
        help_text="Separate skills with commas, for example: bike repair, Catalan, plumbing.",
    )
    home_lat = forms.FloatField(
        required=False,
        min_value=-90,
        max_value=90,
        label="Latitude",
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    home_lng = forms.FloatField(
        required=False,
        min_value=-180,
        max_value=180,
        label="Longitude",
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )

    @classmethod
    def initial_for(cls, user: User) -> dict[str, object]:
        return {
            "display_name": user.display_name,
            "preferred_language": user.preferred_language,
            "bio": user.bio,
            "skills": ", ".join(user.skills),
            "home_lat": user.home_lat,
            "home_lng": user.home_lng,
        }

    def clean_skills(self) -> list[str]:
        raw: str = self.cleaned_data["skills"]
        return [skill.strip() for skill in raw.split(",") if skill.strip()]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        lat, lng = cleaned.get("home_lat"), cleaned.get("home_lng")
        # Only complain about a missing half when the other half was valid on its own.
        if lat is None and lng is not None and "home_lat" not in self.errors:
            self.add_error("home_lat", "Give the latitude too, or leave both empty.")
        if lng is None and lat is not None and "home_lng" not in self.errors:
            self.add_error("home_lng", "Give the longitude too, or leave both empty.")
        return cleaned


class LeaveForm(forms.Form):
    """Leaving is for good: the member types their email address (and their password, when the
    account has one) so that a stray click or a borrowed laptop cannot do it."""

    confirm_email = forms.CharField(
        label="Type your email address to confirm",
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user
        if not user.has_usable_password():
            del self.fields["password"]

    def clean_confirm_email(self) -> str:
        typed: str = self.cleaned_data["confirm_email"].strip()
        if typed.lower() != self.user.email.lower():
            raise forms.ValidationError("This is not the email address of your account.")
        return typed

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("This is not your password.")
        return password
