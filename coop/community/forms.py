"""Forms of the community pages."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class ProposeForm(forms.Form):
    name = forms.CharField(label=_("Project name"), max_length=160)
    description = forms.CharField(
        label=_("The neighbourhood need, and what the money does"),
        widget=forms.Textarea,
        max_length=5000,
    )
    neighbourhood = forms.CharField(label=_("Neighbourhood"), max_length=120, required=False)
    amount = forms.DecimalField(
        label=_("Amount needed (€)"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90, required=False)
    lng = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if (data.get("lat") is None) != (data.get("lng") is None):
            self.add_error("lng", _("Give both latitude and longitude, or neither."))
        return data


class GiftForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Your gift (€)"), min_value=Decimal("1.00"), max_digits=10, decimal_places=2
    )


class ApproveForm(forms.Form):
    ballot = forms.IntegerField(label=_("Number of the ballot that passed it"), min_value=1)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Why (sent to the member)"), widget=forms.Textarea)


class SpendForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount paid (€)"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    payee = forms.CharField(label=_("Paid to"), max_length=160)
    purpose = forms.CharField(label=_("What it paid for"), max_length=200)
    spent_on = forms.DateField(
        label=_("Date paid"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reference = forms.CharField(
        label=_("Receipt, invoice or bank transfer reference"), max_length=120
    )
    payee_member_number = forms.IntegerField(
        label=_("Member number, if a member is reimbursed"),
        help_text=_(
            "Leave empty when the treasurer paid a supplier from the co-op's bank. With a member "
            "number, the money goes to that member's balance and the next payout pays it."
        ),
        min_value=1,
        required=False,
    )
