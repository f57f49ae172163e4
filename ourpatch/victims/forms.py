from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from ourpatch.dissatisfaction.models import Category
from ourpatch.geography.models import Neighbourhood
from ourpatch.teams.models import TeamMember
from ourpatch.victims.models import EndReason, UpdateMethod, VictimView

WEEKLY, FORTNIGHTLY, MONTHLY, EVERY, NONE = "weekly", "fortnightly", "monthly", "every", "none"
FREQUENCIES = [
    (WEEKLY, "Every week"),
    (FORTNIGHTLY, "Every two weeks"),
    (MONTHLY, "Every month"),
    (EVERY, "Every so many days (give the number below)"),
    (NONE, "The victim does not want updates"),
]


class AgreementForm(forms.Form):
    crime_reference = forms.CharField(label="Crime reference", max_length=40)
    victim_name = forms.CharField(label="Victim's name", max_length=200)
    victim_contact = forms.CharField(
        label="How to reach them (telephone, email or address)", max_length=200, required=False
    )
    method = forms.ChoiceField(label="How they want to be updated", choices=UpdateMethod.choices)
    frequency = forms.ChoiceField(label="How often", choices=FREQUENCIES, initial=FORTNIGHTLY)
    every_days = forms.IntegerField(
        label="Number of days between updates",
        min_value=1,
        max_value=365,
        required=False,
        help_text='Only for "every so many days". The Pledge: at least monthly if they wish, '
        "so a longer interval is kept to monthly.",
    )
    officer = forms.ModelChoiceField(
        queryset=TeamMember.objects.none(), label="Officer who gives the updates"
    )
    neighbourhood = forms.ModelChoiceField(
        queryset=Neighbourhood.objects.none(), label="Neighbourhood"
    )

    def __init__(
        self,
        *args: object,
        officers: QuerySet[TeamMember],
        neighbourhoods: QuerySet[Neighbourhood],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["officer"].queryset = officers  # type: ignore[attr-defined]
        self.fields["neighbourhood"].queryset = neighbourhoods  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("frequency") == EVERY and not data.get("every_days"):
            self.add_error("every_days", "Give the number of days between updates.")
        officer = data.get("officer")
        area = data.get("neighbourhood")
        if (
            isinstance(officer, TeamMember)
            and isinstance(area, Neighbourhood)
            and officer.force_id != area.force_id
        ):
            self.add_error("officer", "The officer is in another force.")
        return data

    def frequency_days(self, monthly_days: int) -> int | None:
        """The interval as stored: what the victim asked for, in days (None: no updates)."""
        choice = self.cleaned_data["frequency"]
        if choice == NONE:
            return None
        fixed = {WEEKLY: 7, FORTNIGHTLY: 14, MONTHLY: monthly_days}
        return fixed.get(choice) or int(self.cleaned_data["every_days"])


VIEW_CHOICES = [
    (VictimView.NOT_ASKED, "Not asked"),
    *[(v.value, v.label) for v in VictimView if v != VictimView.NOT_ASKED],
]


UPDATE, CALLBACK = "update", "callback"


class UpdateForm(forms.Form):
    kind = forms.ChoiceField(
        label="What was it",
        choices=[
            (UPDATE, "An update on the case"),
            (CALLBACK, "A callback asking only their view of the service (no case update)"),
        ],
        initial=UPDATE,
        help_text="Only an update on the case counts towards the frequency the victim agreed.",
    )
    given_at = forms.DateTimeField(
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    method = forms.ChoiceField(label="How", choices=UpdateMethod.choices)
    note = forms.CharField(
        label="What was said",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    victim_view = forms.ChoiceField(
        label="The victim's view of the service, if asked", choices=VIEW_CHOICES
    )
    category = forms.ChoiceField(
        label="If dissatisfied: what about",
        choices=Category.choices,
        initial=Category.NOT_KEPT_INFORMED,
        help_text="A fairly or very dissatisfied victim opens a dissatisfaction record, so "
        "that the service can be put right.",
    )
    acknowledged_on_call = forms.BooleanField(
        label="I told them on the call that their dissatisfaction is recorded and will be "
        "dealt with (this is its acknowledgement)",
        required=False,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("kind") == CALLBACK and data.get("victim_view") == VictimView.NOT_ASKED:
            self.add_error("victim_view", "A callback records what the victim said of the service.")
        return data


class EndForm(forms.Form):
    reason = forms.ChoiceField(label="Why the updates end", choices=EndReason.choices)
