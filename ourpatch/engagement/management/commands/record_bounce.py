"""``ourpatch manage record_bounce ADDRESS...``: record bounces reported by the mail system."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ourpatch.engagement.subscriptions import record_bounce


class Command(BaseCommand):
    help = "Record that email to these addresses bounced (marks their subscriptions)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addresses", nargs="+", metavar="ADDRESS")

    def handle(self, *args: Any, **options: Any) -> None:
        for address in options["addresses"]:
            marked = record_bounce(address)
            self.stdout.write(f"{address}: {marked} subscription(s) marked as bounced")
