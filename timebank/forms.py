from __future__ import annotations

from django import forms

from timebank.models import Category, PostKind
from timebank.services import MAX_MINUTES


class SearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    category = forms.ChoiceField(
        label="Category", required=False, choices=[("", "All categories"), *Category.choices]
    )
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "Offers and requests"), *PostKind.choices]
    )
    radius_km = forms.IntegerField(
        label="Within (km of home)", required=False, min_value=1, max_value=100
    )


class PostForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=PostKind.choices)
    title = forms.CharField(label="Title", max_length=120)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea, max_length=4000
    )
    category = forms.ChoiceField(label="Category", choices=Category.choices)
    tags = forms.CharField(
        label="Tags", required=False, max_length=300, help_text="Separated by commas."
    )
    at_home = forms.BooleanField(
        label="Show it near my home (others see an approximate area only)", required=False
    )


class MinutesForm(forms.Form):
    minutes = forms.IntegerField(label="Minutes", min_value=1, max_value=MAX_MINUTES)


class TransferForm(forms.Form):
    payer_number = forms.IntegerField(
        label="Coordinators: member number of the payer",
        required=False,
        min_value=1,
        help_text="Leave empty to send your own hours. The member is told you recorded it.",
    )
    member_number = forms.IntegerField(label="Member number of the receiver", min_value=1)
    minutes = forms.IntegerField(label="Minutes", min_value=1, max_value=MAX_MINUTES)
    note = forms.CharField(label="What for", required=False, max_length=500)


class CoordinateForm(forms.Form):
    member_number = forms.IntegerField(
        label="Member number",
        min_value=1,
        help_text="The member you are recording for. They are told about every step you record.",
    )


class GiftForm(forms.Form):
    minutes = forms.IntegerField(label="Minutes to give", min_value=1, max_value=MAX_MINUTES)
    note = forms.CharField(label="Note", required=False, max_length=500)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="What went wrong", max_length=2000, widget=forms.Textarea)


class EndorseForm(forms.Form):
    text = forms.CharField(label="A few words about them", max_length=500)


class SwapForm(forms.Form):
    member_number = forms.IntegerField(label="Member number of who takes over", min_value=1)


class ChoreForm(forms.Form):
    title = forms.CharField(label="Title", max_length=120)
    description = forms.CharField(label="Description", required=False, max_length=2000)
    minutes = forms.IntegerField(label="Minutes", min_value=1, max_value=MAX_MINUTES)
    lat = forms.FloatField(label="Latitude", required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(label="Longitude", required=False, min_value=-180, max_value=180)
    due_on = forms.DateField(
        label="Due on", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class CoordinatorForm(forms.Form):
    member_number = forms.IntegerField(label="Member number", min_value=1)
