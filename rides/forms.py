"""Phone-first forms of the rides pages: a neighbourhood pick, or an exact point."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from coop.exceptions import InvalidInput
from coop.geo.points import Point
from frontend.forms import CentsField
from rides.models import MAX_SEATS
from rides.places import NEIGHBOURHOODS, place_choices


def _place_fields(prefix: str, label: str) -> dict[str, forms.Field]:
    return {
        prefix: forms.ChoiceField(
            label=label, choices=[("", "—"), *place_choices()], required=False
        ),
        f"{prefix}_point": forms.CharField(
            label=f"{label}: exact point",
            required=False,
            help_text="Optional: latitude,longitude (e.g. 41.3874,2.1686).",
        ),
    }


def resolve_place(form: forms.Form, prefix: str) -> tuple[Point, str] | None:
    """The point and label a form gives for `prefix`, or None with an error on the form."""
    exact = form.cleaned_data.get(f"{prefix}_point", "").strip()
    key = form.cleaned_data.get(prefix, "")
    if exact:
        try:
            point = Point.parse(exact)
        except InvalidInput as error:
            form.add_error(f"{prefix}_point", error.message)
            return None
        label = NEIGHBOURHOODS[key][0] if key else exact
        return point, label
    if key:
        label, point = NEIGHBOURHOODS[key]
        return point, label
    form.add_error(prefix, "Pick a neighbourhood or give an exact point.")
    return None


class _PlacesForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = {**_place_fields("origin", "From"), **_place_fields("destination", "To")}
        self.fields = {**fields, **self.fields}


def _in_an_hour() -> str:
    return (timezone.localtime() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:00")


class OfferForm(_PlacesForm):
    departs_at = forms.DateTimeField(
        label="Leaving at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        initial=_in_an_hour,
    )
    seats = forms.IntegerField(label="Seats offered", min_value=1, max_value=MAX_SEATS, initial=3)
    price_per_seat = CentsField(
        label="Price per seat (€)",
        required=False,
        help_text="Leave empty for the suggested price: the cost-sharing cap.",
    )
    instant_booking = forms.BooleanField(label="Instant booking (no approval)", required=False)
    vehicle = forms.CharField(label="Car", max_length=80, required=False)
    luggage = forms.BooleanField(label="Room for luggage", required=False, initial=True)
    bike = forms.BooleanField(label="Room for a bike", required=False)
    max_two_in_back = forms.BooleanField(label="Max. two in the back", required=False)
    pets = forms.BooleanField(label="Pets welcome", required=False)
    quiet = forms.BooleanField(label="Quiet ride", required=False)


class SearchForm(_PlacesForm):
    day = forms.DateField(label="Day", widget=forms.DateInput(attrs={"type": "date"}))
    earliest = forms.TimeField(
        label="Leaving after", widget=forms.TimeInput(attrs={"type": "time"}), initial="07:00"
    )
    latest = forms.TimeField(
        label="Leaving before", widget=forms.TimeInput(attrs={"type": "time"}), initial="10:00"
    )
    seats = forms.IntegerField(label="Seats", min_value=1, max_value=MAX_SEATS, initial=1)
    order = forms.ChoiceField(
        label="Sort by",
        choices=[
            ("score", "Best match"),
            ("departure", "Departure time"),
            ("distance", "Walking distance"),
        ],
        initial="score",
        required=False,
    )

    def window(self) -> tuple[datetime, datetime]:
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        start = datetime.combine(data["day"], data["earliest"], tzinfo=tz)
        end = datetime.combine(data["day"], data["latest"], tzinfo=tz)
        return start, end


class BookForm(forms.Form):
    seats = forms.IntegerField(min_value=1, max_value=MAX_SEATS)
    pickup = forms.CharField()
    dropoff = forms.CharField()


class CodeForm(forms.Form):
    code = forms.CharField(label="Booking code", max_length=12)


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommuteForm(_PlacesForm):
    weekdays = forms.TypedMultipleChoiceField(
        label="Days",
        choices=[
            (1, "Monday"),
            (2, "Tuesday"),
            (3, "Wednesday"),
            (4, "Thursday"),
            (5, "Friday"),
            (6, "Saturday"),
            (7, "Sunday"),
        ],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=[1, 2, 3, 4, 5],
    )
    departure_time = forms.TimeField(
        label="Leaving at", widget=forms.TimeInput(attrs={"type": "time"}), initial="08:00"
    )
    until = forms.DateField(label="Until", widget=forms.DateInput(attrs={"type": "date"}))
    seats = forms.IntegerField(label="Seats offered", min_value=1, max_value=MAX_SEATS, initial=2)
    instant_booking = forms.BooleanField(
        label="Instant booking (no approval)", required=False, initial=True
    )


class PoolWindowForm(forms.Form):
    """The morning a commuter pool is worked out for (local times)."""

    day = forms.DateField(label="Day", widget=forms.DateInput(attrs={"type": "date"}))
    earliest = forms.TimeField(
        label="Rides leaving after", widget=forms.TimeInput(attrs={"type": "time"}), initial="06:30"
    )
    latest = forms.TimeField(
        label="Rides leaving before",
        widget=forms.TimeInput(attrs={"type": "time"}),
        initial="10:00",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("earliest") and data.get("latest") and data["latest"] <= data["earliest"]:
            self.add_error("latest", "Must be after the earliest time.")
        return data

    def window(self) -> tuple[datetime, datetime]:
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(data["day"], data["earliest"], tzinfo=tz),
            datetime.combine(data["day"], data["latest"], tzinfo=tz),
        )
