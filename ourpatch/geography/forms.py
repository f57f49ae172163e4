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


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the file holds",
        choices=[
            ("boundaries", "Neighbourhood boundaries (GeoJSON, one KML, or a .zip of KML files)"),
            ("postcodes", "ONS Postcode Directory (CSV)"),
            ("areas", "ONS areas lookup: LSOAs, MSOAs, wards and local authorities (CSV)"),
            ("survey", "Survey responses, one row per respondent (CSV)"),
        ],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(label="File")
    commit = forms.BooleanField(
        required=False,
        label="Import it now (leave unticked to check it first: nothing is changed)",
    )
