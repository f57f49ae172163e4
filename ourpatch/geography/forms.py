from __future__ import annotations

from django import forms

from ourpatch.geography.models import Neighbourhood


class NeighbourhoodForm(forms.ModelForm[Neighbourhood]):
    class Meta:
        model = Neighbourhood
        fields = ["description", "email", "telephone"]
        labels = {
            "description": "About the neighbourhood",
            "email": "Team email address",
            "telephone": "Team telephone number",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
