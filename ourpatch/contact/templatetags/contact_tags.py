"""Template helpers for the public pages: who is away, and the contact form for a team."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from ourpatch.contact.forms import ContactForm
from ourpatch.geography.models import Neighbourhood
from ourpatch.teams.absences import away_until as _away_until
from ourpatch.teams.models import TeamMember

register = template.Library()


@register.simple_tag
def away_until(member: TeamMember) -> dt.date | None:
    """The last day ``member`` is away, if they are away today (a public fact: no reason)."""
    return _away_until(member, timezone.localdate())


@register.simple_tag
def contact_form_for(area: Neighbourhood, form: ContactForm | None = None) -> ContactForm:
    """The contact form with the team's names to write to (a page may pass a plain form)."""
    if isinstance(form, ContactForm) and (form.area is not None or form.is_bound):
        return form
    return ContactForm(area=area)
