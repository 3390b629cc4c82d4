"""Forms of the stays pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coop.community.models import CommunityProject, ProjectStatus
from stays.models import CancellationPolicy, HomeType


class DateInput(forms.DateInput):
    input_type = "date"


class SearchForm(forms.Form):
    check_in = forms.DateField(label=_("Check-in"), required=False, widget=DateInput)
    check_out = forms.DateField(label=_("Check-out"), required=False, widget=DateInput)
    guests = forms.IntegerField(label=_("Guests"), required=False, min_value=1, max_value=30)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        check_in, check_out = data.get("check_in"), data.get("check_out")
        if bool(check_in) != bool(check_out):
            raise forms.ValidationError(_("Give both dates, or neither."))
        if check_in and check_out and check_out <= check_in:
            self.add_error("check_out", _("Must be after check-in."))
        return data


class BookingForm(forms.Form):
    check_in = forms.DateField(label=_("Check-in"), widget=DateInput)
    check_out = forms.DateField(label=_("Check-out"), widget=DateInput)
    guests = forms.IntegerField(label=_("Guests"), min_value=1, max_value=30, initial=1)
    community_project: forms.ModelChoiceField[CommunityProject] = forms.ModelChoiceField(
        label=_("Community project your share funds"),
        queryset=CommunityProject.objects.filter(status=ProjectStatus.APPROVED),
        empty_label=None,
    )


class ListingForm(forms.Form):
    home_type = forms.ChoiceField(label=_("What you let"), choices=HomeType.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    capacity = forms.IntegerField(label=_("Guests it sleeps"), min_value=1, max_value=30)
    beds = forms.IntegerField(label=_("Beds"), min_value=1, max_value=30)
    amenities = forms.CharField(
        label=_("Amenities"), required=False, help_text=_("Separate them with commas.")
    )
    accessibility_notes = forms.CharField(
        label=_("Accessibility"), widget=forms.Textarea, required=False
    )
    house_rules = forms.CharField(label=_("House rules"), widget=forms.Textarea, required=False)
    nightly_price = forms.DecimalField(label=_("Price per night"), min_value=1, decimal_places=2)
    cleaning_fee = forms.DecimalField(
        label=_("Cleaning fee"), min_value=0, decimal_places=2, initial=0
    )
    min_nights = forms.IntegerField(label=_("Minimum nights"), min_value=1, initial=1)
    max_nights = forms.IntegerField(label=_("Maximum nights"), min_value=1, initial=30)
    instant_book = forms.BooleanField(label=_("Guests can book instantly"), required=False)
    cancellation_policy = forms.ChoiceField(
        label=_("Cancellation policy"), choices=CancellationPolicy.choices
    )
    licence_number = forms.CharField(label=_("Licence number"), max_length=60, required=False)
    address = forms.CharField(
        label=_("Address of your home"),
        max_length=300,
        required=False,
        help_text=_("Only your confirmed guests see it. Needed for your first listing."),
    )
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)


class BlockForm(forms.Form):
    start = forms.DateField(label=_("First night"), widget=DateInput)
    end = forms.DateField(label=_("Morning after the last night"), widget=DateInput)


class CalendarForm(forms.Form):
    url = forms.URLField(
        label=_("iCal address of your other calendar"), max_length=500, assume_scheme="https"
    )


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"), choices=[(n, str(n)) for n in range(5, 0, -1)], coerce=int
    )
    text = forms.CharField(label=_("Your review"), widget=forms.Textarea, required=False)


class HomeMoveForm(forms.Form):
    address = forms.CharField(
        label=_("Your new address"),
        max_length=300,
        help_text=_("Only your confirmed guests see it."),
    )
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    licence_number = forms.CharField(
        label=_("Licence number of the new home"),
        max_length=60,
        required=False,
        help_text=_("A licence belongs to a dwelling; the city may require one where you moved."),
    )


class ZoneForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.SlugField(
        label=_("Short name in addresses"),
        max_length=60,
        required=False,
        help_text=_("Set once, when the zone is created."),
    )
    polygon = forms.JSONField(
        label=_("Outline"),
        widget=forms.Textarea(attrs={"rows": 6, "class": "mono"}),
        help_text=_(
            "A list of [latitude, longitude] vertices, e.g. [[41.38, 2.16], [41.39, 2.17], …]."
        ),
    )
    policy_key = forms.ChoiceField(label=_("Rules (voted parameters)"), required=False)
    licence_pattern = forms.CharField(
        label=_("Licence format"),
        max_length=200,
        required=False,
        help_text=_("A regular expression licence numbers must match, e.g. HUTB-\\d{6}."),
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)

    def __init__(self, *args: object, policy_sets: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["policy_key"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Its own set if declared, else the defaults"))] + [
            (key, key) for key in policy_sets
        ]


class ListingPhotoForm(forms.Form):
    # A plain file field: coop.images decodes and checks it (a name or a type says nothing).
    photo = forms.FileField(label=_("Photo"), help_text=_("JPEG, PNG or WebP."))
    alt_text = forms.CharField(
        label=_("What it shows"),
        max_length=200,
        help_text=_("For guests who cannot see the photo, e.g. “Bedroom with a double bed”."),
    )
