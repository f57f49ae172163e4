from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.base import ContentFile

from ourpatch.geography.postcodes import normalise
from ourpatch.teams.models import Location, TeamMember
from ourpatch.teams.photos import BadPhoto, process_photo


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
    new_photo = forms.FileField(
        required=False,
        label="New photo",
        help_text="A JPEG, PNG or WebP of the person's face, up to 5 MB. It is cropped square "
        "and its hidden data (such as where it was taken) is removed.",
    )
    remove_photo = forms.BooleanField(required=False, label="Remove the current photo")

    def clean_new_photo(self) -> ContentFile[bytes] | None:
        upload = self.cleaned_data.get("new_photo")
        if not upload:
            return None
        try:
            return process_photo(upload)
        except BadPhoto as error:
            raise forms.ValidationError(str(error)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        photo_changing = data.get("new_photo") or (data.get("remove_photo") and self.instance.photo)
        has_photo = bool(self.instance.photo) and not data.get("remove_photo")
        if (data.get("new_photo") or has_photo) and not (data.get("photo_alt") or "").strip():
            self.add_error("photo_alt", "Describe the photo for people who cannot see it.")
        self.photo_changed = bool(photo_changing)
        return data

    def save(self, commit: bool = True) -> TeamMember:
        member = super().save(commit=False)
        if self.cleaned_data.get("remove_photo") and member.photo:
            member.photo.delete(save=False)
        if self.cleaned_data.get("new_photo"):
            member.photo.save(
                self.cleaned_data["new_photo"].name, self.cleaned_data["new_photo"], save=False
            )
        if commit:
            member.save()
        return member

    class Meta:
        model = TeamMember
        fields = ["name", "collar_number", "bio", "email", "telephone", "languages", "photo_alt"]
        labels = {"photo_alt": "Photo description"}
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}


class LocationForm(forms.ModelForm[Location]):
    class Meta:
        model = Location
        fields = ["name", "address", "postcode", "telephone", "description"]
        labels = {"description": "Opening hours and how to get there"}
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def clean_postcode(self) -> str:
        typed = self.cleaned_data.get("postcode", "")
        postcode = normalise(typed)
        if postcode is None:
            raise forms.ValidationError(f"“{typed}” is not a full postcode, such as LS1 4AP.")
        return postcode
