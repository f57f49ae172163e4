from __future__ import annotations

from typing import Any

from django import forms

from ourpatch.teams.models import TeamMember


class LanguagesField(forms.CharField):
    """Languages as a comma-separated list in the form, a list in the model."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [part.strip() for part in text.split(",") if part.strip()]


class TeamMemberForm(forms.ModelForm[TeamMember]):
    languages = LanguagesField(
        required=False, help_text="Separate languages with commas, for example: English, Urdu"
    )

    class Meta:
        model = TeamMember
        fields = ["name", "collar_number", "bio", "email", "telephone", "languages", "photo_alt"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}
