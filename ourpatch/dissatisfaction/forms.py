from __future__ import annotations

from django import forms
from django.db.models import QuerySet

from ourpatch.dissatisfaction.models import Category, Channel
from ourpatch.geography.models import Neighbourhood
from ourpatch.teams.models import TeamMember

# The categories in the words a member of the public would use
PUBLIC_WORDS: dict[str, str] = {
    Category.NO_RESPONSE: "Nobody replied to me, or the reply was slow",
    Category.NOT_KEPT_INFORMED: "I was not kept informed about what was happening",
    Category.ATTENDANCE: "The police came late, or did not come",
    Category.INCIVILITY: "Someone was rude or unhelpful",
    Category.NO_ACTION: "Nothing was done about the problem",
    Category.INFORMATION: "I was given wrong or missing information",
    Category.ACCESS: "I could not reach the team",
    Category.OTHER: "Something else",
}

# Ways a person can acknowledge it: a person, not a web page
ACKNOWLEDGE_BY = [(c.value, c.label) for c in Channel if c != Channel.WEB]


class NotHappyForm(forms.Form):
    """The public form: plain words, nothing a person has to know about policing."""

    name = forms.CharField(label="Your name", max_length=200)
    email = forms.EmailField(
        label="Your email address",
        required=False,
        help_text="So that we can reply. Give an email address or a telephone number.",
    )
    telephone = forms.CharField(label="Your telephone number", max_length=40, required=False)
    category = forms.ChoiceField(
        label="What is it about?",
        choices=list(PUBLIC_WORDS.items()),
        widget=forms.RadioSelect,
    )
    summary = forms.CharField(
        label="What happened?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="5,000 characters at most. To report a crime call 101, or 999 in an emergency.",
    )
    # A honeypot: hidden from people, filled in by bots
    website = forms.CharField(required=False, label="Leave this empty")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("email") and not (data.get("telephone") or "").strip():
            raise forms.ValidationError(
                "Give an email address or a telephone number, so that we can reply."
            )
        return data


class RecordForm(forms.Form):
    """Dissatisfaction told to a member of staff: by telephone, in person, by letter."""

    neighbourhood = forms.ModelChoiceField(
        queryset=Neighbourhood.objects.none(), label="Team (neighbourhood)"
    )
    channel = forms.ChoiceField(label="How it was received", choices=ACKNOWLEDGE_BY)
    category = forms.ChoiceField(label="What it is about", choices=Category.choices)
    complainant_name = forms.CharField(label="Their name", max_length=200)
    complainant_contact = forms.CharField(
        label="Telephone or address", max_length=200, required=False
    )
    complainant_email = forms.EmailField(label="Email address", required=False)
    summary = forms.CharField(
        label="What they are not happy with", max_length=5000, widget=forms.Textarea
    )
    about_member = forms.ModelChoiceField(
        queryset=TeamMember.objects.none(),
        required=False,
        label="About a member of the team (optional)",
    )

    def __init__(
        self,
        *args: object,
        neighbourhoods: QuerySet[Neighbourhood],
        members: QuerySet[TeamMember],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["neighbourhood"].queryset = neighbourhoods  # type: ignore[attr-defined]
        self.fields["about_member"].queryset = members  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not (data.get("complainant_contact") or "").strip() and not data.get(
            "complainant_email"
        ):
            raise forms.ValidationError(
                "Give a telephone number, an address or an email address, to agree the "
                "resolution with them."
            )
        return data


class AcknowledgeForm(forms.Form):
    how = forms.ChoiceField(label="How you acknowledged it", choices=ACKNOWLEDGE_BY)


class ResolutionForm(forms.Form):
    resolution = forms.CharField(
        label="The resolution", max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    agreed = forms.BooleanField(label="The person has agreed this resolution", required=False)
