"""Records of contact between residents and their team. Everything here is personal data."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone

from ourpatch.audit.personal import PersonalDataQuerySet
from ourpatch.geography.models import Neighbourhood

# No 0/O or 1/I: a reference is read out over the telephone.
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    return "M-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


class Message(models.Model):
    """A message from a resident to their neighbourhood team (Pledge item 4: answered in 24 h)."""

    reference = models.CharField(max_length=12, unique=True, default=new_reference)
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.PROTECT, related_name="messages"
    )
    sender_name = models.CharField(max_length=200)
    sender_email = models.EmailField(blank=True)
    sender_telephone = models.CharField(max_length=40, blank=True)
    # Stored as plain text and always escaped when shown: never rendered as HTML
    body = models.TextField(max_length=5000)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Where it came from, keyed and hashed: enough to limit abuse, not to find the sender
    sender_address_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # Set by the worker when the acknowledgement email has gone, so it never goes twice
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(
        max_length=10, choices=[("web", "Web form"), ("email", "Email")], default="web"
    )

    objects = PersonalDataQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.reference

    def audit_force_id(self) -> str:
        return str(self.neighbourhood.force_id)
