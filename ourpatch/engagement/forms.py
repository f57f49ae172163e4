from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from ourpatch.engagement.meetings import MeetingRefused, check_new_meeting
from ourpatch.engagement.models import KeyIndividual, Meeting, PreferredMethod


class MeetingForm(forms.ModelForm[Meeting]):
    starts_at = forms.DateTimeField(
        label="Starts", help_text="For example 2027-01-14 18:30", widget=forms.DateTimeInput()
    )
    ends_at = forms.DateTimeField(label="Ends", help_text="For example 2027-01-14 20:00")

    class Meta:
        model = Meeting
        fields = [
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "venue",
            "address",
            "postcode",
            "description",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_at") and data.get("ends_at"):
            try:
                check_new_meeting(data["starts_at"], data["ends_at"], timezone.now())
            except MeetingRefused as refused:
                raise forms.ValidationError(
                    f"This meeting cannot be advertised: {refused}."
                ) from None
        return data


class RecordMeetingForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What happened",
        choices=[("held", "It was held"), ("cancelled", "It was cancelled")],
        widget=forms.RadioSelect,
    )
    attendance = forms.IntegerField(label="How many residents came", min_value=0, required=False)
    issues_raised = forms.CharField(
        label="Issues raised", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    partner_attendees = forms.CharField(label="Partners who came", required=False)
    cancelled_reason = forms.CharField(
        label="Why it was cancelled", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == "held" and data.get("attendance") is None:
            self.add_error("attendance", "Say how many residents came (0 if none).")
        if data.get("outcome") == "cancelled" and not (data.get("cancelled_reason") or "").strip():
            self.add_error("cancelled_reason", "Say why it was cancelled: residents are told.")
        return data


class KeyIndividualForm(forms.ModelForm[KeyIndividual]):
    consent_given_on = forms.DateField(
        label="Consent given on",
        help_text="The date they agreed to be contacted (for example 2026-11-20). Required.",
    )

    class Meta:
        model = KeyIndividual
        fields = ["name", "role_in_community", "email", "telephone", "consent_given_on"]


class PreferenceForm(forms.Form):
    methods = forms.MultipleChoiceField(
        label="How would you like to hear from and talk to your team?",
        choices=PreferredMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose any. We keep only the totals, not who answered.",
    )
