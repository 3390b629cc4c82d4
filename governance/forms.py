"""HTML forms of governance: proposals, comments, votes and scheduling a ballot."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone

from governance.models import Ballot, BallotKind, PassThreshold, Proposal, ProposalKind
from governance.parameters import parameter_specs
from governance.services import OptionInput


class ProposalForm(forms.Form):
    title = forms.CharField(max_length=200)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=20_000)
    kind = forms.ChoiceField(choices=ProposalKind.choices, initial=ProposalKind.GENERAL)
    parameter_key = forms.ChoiceField(
        required=False,
        help_text="Only for a change to a platform parameter.",
        label="Parameter",
    )
    parameter_value = forms.IntegerField(
        required=False, label="New value", help_text="In the parameter's unit."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parameter_key"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (spec.key, f"{spec.label} ({spec.key}, {spec.unit})") for spec in parameter_specs()
        ]


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Your comment", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class ProxyForm(forms.Form):
    holder = forms.IntegerField(
        label="Member number of your proxy",
        min_value=1,
        help_text="They may vote for you on this ballot; your own vote overrides theirs.",
    )


class VoteForm(forms.Form):
    """The ballot paper, built for the ballot's kind. No JavaScript needed."""

    receipt = forms.CharField(
        required=False,
        max_length=40,
        label="Receipt of your earlier vote",
        help_text="Only to change a vote you already cast.",
    )

    def __init__(self, *args: Any, ballot: Ballot, grantors: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ballot = ballot
        self.options = list(ballot.options.all())
        if grantors:
            self.fields["on_behalf_of"] = forms.ChoiceField(
                label="Vote for",
                choices=[("", "Myself"), *[(str(g.pk), f"{g} (as their proxy)") for g in grantors]],
                required=False,
            )
        if ballot.kind == BallotKind.YES_NO:
            self.fields["choice"] = forms.ChoiceField(
                label="Your vote",
                choices=[("yes", "Yes"), ("no", "No"), ("abstain", "Abstain")],
                widget=forms.RadioSelect,
            )
        elif ballot.kind in (BallotKind.APPROVAL, BallotKind.BUDGET):
            self.fields["approvals"] = forms.MultipleChoiceField(
                label="Options you approve",
                choices=[(str(o.pk), self._label(o)) for o in self.options],
                widget=forms.CheckboxSelectMultiple,
                required=False,
                help_text=(
                    f"Choose up to {ballot.max_approvals}."
                    if ballot.max_approvals
                    else "Choose any."
                ),
            )
        else:
            places = [("", "—")] + [(str(n), str(n)) for n in range(1, len(self.options) + 1)]
            for option in self.options:
                self.fields[f"rank_{option.pk}"] = forms.ChoiceField(
                    label=f"Rank for {option.label}", choices=places, required=False
                )

    def _label(self, option: Any) -> str:
        if self.ballot.kind == BallotKind.BUDGET:
            return f"{option.label} ({Decimal(option.cost_cents) / 100:.2f})"
        return str(option.label)

    def rank_fields(self) -> list[Any]:
        return [
            self[f"rank_{option.pk}"]
            for option in self.options
            if f"rank_{option.pk}" in self.fields
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            self.vote = self._content(cleaned)
        return cleaned

    def content(self) -> dict[str, Any]:
        return self.vote

    def _content(self, data: dict[str, Any]) -> dict[str, Any]:
        if self.ballot.kind == BallotKind.YES_NO:
            return {"choice": data["choice"]}
        if self.ballot.kind in (BallotKind.APPROVAL, BallotKind.BUDGET):
            return {"approvals": [int(pk) for pk in data["approvals"]]}
        ranks = {option.pk: data.get(f"rank_{option.pk}") for option in self.options}
        chosen = {pk: int(rank) for pk, rank in ranks.items() if rank}
        if len(set(chosen.values())) != len(chosen):
            raise forms.ValidationError("Give each rank to one option only.")
        return {"ranking": sorted(chosen, key=lambda pk: chosen[pk])}


class BallotForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    kind = forms.ChoiceField(choices=BallotKind.choices)
    proposal = forms.ModelChoiceField(
        queryset=Proposal.objects.none(),
        required=False,
        help_text="A proposal gathering sponsors, to put to a yes/no vote now.",
    )
    options = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            "One option per line. For a participatory budget add the cost after a bar: "
            "Community garden | 1500.00"
        ),
    )
    seats = forms.IntegerField(min_value=1, max_value=100, initial=1)
    max_approvals = forms.IntegerField(
        min_value=0, initial=0, label="Most approvals per member", help_text="0: any number."
    )
    budget = forms.DecimalField(
        required=False,
        min_value=0,
        decimal_places=2,
        label="Budget",
        help_text="Budget ballots only.",
    )
    # A datetime-local input takes only ISO values: a localised default would leave it empty.
    opens_at = forms.DateTimeField(
        widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"})
    )
    quorum_percent = forms.IntegerField(min_value=0, max_value=100, initial=10)
    pass_threshold = forms.ChoiceField(choices=PassThreshold.choices)
    secret = forms.BooleanField(required=False, initial=True, label="Secret ballot")
    allow_vote_change = forms.BooleanField(
        required=False, initial=True, label="Members may change their vote until close"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["proposal"].queryset = Proposal.objects.filter(  # type: ignore[attr-defined]
            status="sponsoring"
        )
        if not self.is_bound:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("opens_at", now)
            self.initial.setdefault("closes_at", now + timedelta(days=7))

    def clean_options(self) -> list[OptionInput]:
        options = []
        for line in self.cleaned_data["options"].splitlines():
            if not line.strip():
                continue
            label, _, cost = line.partition("|")
            cost_cents = 0
            if cost.strip():
                try:
                    cost_cents = int(Decimal(cost.strip()) * 100)
                except InvalidOperation:
                    raise forms.ValidationError(f"Not an amount: {cost.strip()}") from None
            options.append(OptionInput(label=" ".join(label.split()), cost_cents=cost_cents))
        return options

    def budget_cents(self) -> int:
        budget = self.cleaned_data.get("budget")
        return int(budget * 100) if budget else 0
