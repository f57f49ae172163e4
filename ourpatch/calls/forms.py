from __future__ import annotations

from typing import Any

from django import forms

from ourpatch.geography.models import Neighbourhood
from ourpatch.teams.models import TeamMember


class AppointmentForm(forms.Form):
    requested_at = forms.DateTimeField(
        label="Asked for at",
        help_text="UK time, for example 2026-03-02 09:30: the 48-hour clock starts here.",
    )
    appointment_at = forms.DateTimeField(
        label="Appointment at", help_text="UK time, for example 2026-03-03 14:00."
    )
    officer = forms.ModelChoiceField(
        label="Officer",
        queryset=TeamMember.objects.none(),
        required=False,
        empty_label="Not decided yet",
    )
    caller_chose_later = forms.BooleanField(
        label="The caller chose a time more than 48 hours away",
        required=False,
        help_text="Then a later appointment is not a breach of the Pledge.",
    )

    def __init__(self, *args: Any, area: Neighbourhood, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["officer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = TeamMember.objects.current().filter(neighbourhoods=area)
