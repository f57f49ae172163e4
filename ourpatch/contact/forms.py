from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from ourpatch.contact.inbox import ReplyMethod, Status, team_of
from ourpatch.geography.models import Neighbourhood
from ourpatch.teams.absences import away_until_by_member
from ourpatch.teams.models import AbsenceReason, TeamMember

WHOLE_TEAM = ""


def _member_choices(
    members: list[TeamMember], away: dict[int, dt.date], away_words: str
) -> list[tuple[str, str]]:
    choices = []
    for m in members:
        label = f"{m.name}, {m.get_role_display()}"
        if m.pk in away:
            label += f" (away until {away[m.pk]:%A %-d %B}{away_words})"
        choices.append((str(m.pk), label))
    return choices


class ContactForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=200)
    email = forms.EmailField(
        label="Your email address",
        required=False,
        help_text="So the team can reply. Give an email address or a telephone number.",
    )
    telephone = forms.CharField(label="Your telephone number", max_length=40, required=False)
    write_to = forms.ChoiceField(
        label="Write to",
        required=False,
        choices=[(WHOLE_TEAM, "The whole team")],
        help_text="Anyone in the team can answer. If the person you choose is away, "
        "your message goes to the whole team.",
    )
    body = forms.CharField(
        label="Your message",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="5,000 characters at most. Do not use this to report an emergency: call 999.",
    )
    # A honeypot: hidden from people, filled in by bots
    website = forms.CharField(required=False, label="Leave this empty")

    def __init__(self, *args: Any, area: Neighbourhood | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.area = area
        self.members: dict[str, TeamMember] = {}
        if area is not None:
            today = timezone.localdate()
            team = team_of(area, today)
            self.members = {str(m.pk): m for m in team}
            away = away_until_by_member(team, today)
            field = self.fields["write_to"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [
                (WHOLE_TEAM, "The whole team"),
                *_member_choices(team, away, ": goes to the whole team"),
            ]

    def clean_write_to(self) -> TeamMember | None:
        chosen = self.cleaned_data.get("write_to") or WHOLE_TEAM
        return self.members.get(chosen)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("email") and not (data.get("telephone") or "").strip():
            raise forms.ValidationError(
                "Give an email address or a telephone number, so the team can reply."
            )
        return data


# --- the staff inbox ------------------------------------------------------------------

OPEN = "open"
ALL = "all"
ANYONE = ""
TEAM = "team"
ME = "me"


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        initial=OPEN,
        choices=[
            (OPEN, "Open (not closed)"),
            (Status.NEW.value, "New: for the team"),
            (Status.ASSIGNED.value, "Assigned, not answered"),
            (Status.ANSWERED.value, "Answered"),
            (Status.CLOSED.value, "Closed"),
            (ALL, "All"),
        ],
    )
    assigned = forms.ChoiceField(label="Assigned to", required=False)
    overdue = forms.BooleanField(label="Overdue only", required=False)

    def __init__(self, *args: Any, team: list[TeamMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assigned"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (ANYONE, "Anyone"),
            (TEAM, "The team (nobody yet)"),
            (ME, "Me"),
            *((str(m.pk), m.name) for m in team),
        ]


class AssignForm(forms.Form):
    member = forms.ChoiceField(label="Give this message to", required=False)

    def __init__(
        self, *args: Any, team: list[TeamMember], away: dict[int, dt.date], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.team = {str(m.pk): m for m in team}
        field = self.fields["member"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(WHOLE_TEAM, "The whole team"), *_member_choices(team, away, "")]

    def clean_member(self) -> TeamMember | None:
        return self.team.get(self.cleaned_data.get("member") or WHOLE_TEAM)


METHOD_LABELS = {
    ReplyMethod.EMAIL: "By email: sent to the resident now",
    ReplyMethod.TELEPHONE: "By telephone: record what was said",
    ReplyMethod.IN_PERSON: "In person: record what was said",
}


class ReplyForm(forms.Form):
    method = forms.ChoiceField(label="How the resident is answered", widget=forms.RadioSelect)
    body = forms.CharField(
        label="Reply",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Plain text. For a call or a visit, write what was said.",
    )

    def __init__(self, *args: Any, methods: list[ReplyMethod], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["method"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(m.value, METHOD_LABELS[m]) for m in methods]
        field.initial = methods[0].value


class CloseForm(forms.Form):
    note = forms.CharField(
        label="Why it is closed",
        max_length=200,
        required=False,
        help_text="Needed if it was never answered: for example, a duplicate of M-ABCD2345.",
    )


def _date_input() -> forms.DateInput:
    # a browser's date picker sends and shows ISO dates, whatever the site's locale
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AbsenceForm(forms.Form):
    starts_on = forms.DateField(label="First day away", widget=_date_input())
    ends_on = forms.DateField(label="Last day away", widget=_date_input())
    reason = forms.ChoiceField(label="Reason", choices=AbsenceReason.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The last day away cannot be before the first.")
        return data
