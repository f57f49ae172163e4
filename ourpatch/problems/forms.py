from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from ourpatch.accounts.models import PartnerAgency
from ourpatch.crime.categories import CATEGORIES
from ourpatch.engagement.models import Meeting
from ourpatch.problems.models import PriorityStatus, Problem, ProblemAction, RaisedVia


class RaiseIssueForm(forms.Form):
    issue = forms.CharField(
        label="What should the team work on?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="1,000 characters at most. To report a crime, call 101; in an emergency 999.",
    )
    name = forms.CharField(label="Your name", max_length=200)
    email = forms.EmailField(
        label="Your email address", help_text="We will tell you what becomes of it."
    )
    website = forms.CharField(required=False, label="Leave this empty")


class RecordIssueForm(forms.Form):
    """An issue raised at a meeting, from a survey, or by the team itself."""

    issue = forms.CharField(
        label="Issue raised", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    raised_via = forms.ChoiceField(
        label="Raised",
        choices=[
            (RaisedVia.MEETING, "At a meeting"),
            (RaisedVia.SURVEY, "From a survey"),
            (RaisedVia.TEAM, "By the team"),
        ],
    )


class AgreeForm(forms.Form):
    meeting = forms.ModelChoiceField(
        queryset=Meeting.objects.none(), label="Agreed at which meeting"
    )

    def __init__(self, *args: Any, meetings: QuerySet[Meeting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings  # type: ignore[attr-defined]


class UpdatePriorityForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=[
            (PriorityStatus.ACTED_ON, "Being acted on"),
            (PriorityStatus.CLOSED, "Closed"),
            (PriorityStatus.DECLINED, "Not taken up"),
        ],
    )
    action = forms.CharField(
        label="What is being done (published)", widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome = forms.CharField(
        label="Outcome (published)", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    # the version the editor saw: a save over someone else's is refused
    version = forms.IntegerField(widget=forms.HiddenInput)


class CategoriesField(forms.MultipleChoiceField):
    """police.uk category slugs, chosen from the list, stored as a JSON list."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs.pop("max_length", None)
        super().__init__(
            choices=list(CATEGORIES),
            widget=forms.CheckboxSelectMultiple,
            required=False,
            **{k: v for k, v in kwargs.items() if k in {"label", "help_text", "initial"}},
        )


class ProblemForm(forms.ModelForm[Problem]):
    class Meta:
        model = Problem
        fields = [
            "title",
            "crime_categories",
            "scanning",
            "analysis",
            "shared_with",
            "what_was_done",
            "what_worked",
            "outcome_measure",
            "originator_told",
        ]
        labels = {
            "scanning": "Scanning: what is the problem, where, and who raised it",
            "analysis": "Analysis: causes, victims, offenders, places",
            "shared_with": "Shared with partner agencies",
            "crime_categories": "Crime and anti-social behaviour categories it is about",
            "what_was_done": "Assessment: what was done",
            "what_worked": "Assessment: what worked, and what did not",
            "outcome_measure": "Assessment: the outcome, measured",
            "originator_told": "Was whoever raised it told the outcome?",
        }
        widgets = {
            f: forms.Textarea(attrs={"rows": 3})
            for f in ["scanning", "analysis", "what_was_done", "what_worked", "outcome_measure"]
        } | {"shared_with": forms.CheckboxSelectMultiple}
        field_classes = {"crime_categories": CategoriesField}

    def __init__(self, *args: Any, agencies: QuerySet[PartnerAgency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shared_with"].queryset = agencies  # type: ignore[attr-defined]


class ActionForm(forms.ModelForm[ProblemAction]):
    class Meta:
        model = ProblemAction
        fields = ["kind", "description", "done_on"]
        labels = {"kind": "EPIC: what kind of response", "done_on": "Done on (if done)"}
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
