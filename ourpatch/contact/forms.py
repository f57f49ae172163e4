from __future__ import annotations

from django import forms


class ContactForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=200)
    email = forms.EmailField(
        label="Your email address",
        required=False,
        help_text="So the team can reply. Give an email address or a telephone number.",
    )
    telephone = forms.CharField(label="Your telephone number", max_length=40, required=False)
    body = forms.CharField(
        label="Your message",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="5,000 characters at most. Do not use this to report an emergency: call 999.",
    )
    # A honeypot: hidden from people, filled in by bots
    website = forms.CharField(required=False, label="Leave this empty")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("email") and not (data.get("telephone") or "").strip():
            raise forms.ValidationError(
                "Give an email address or a telephone number, so the team can reply."
            )
        return data
