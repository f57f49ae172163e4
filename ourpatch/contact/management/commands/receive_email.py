"""``ourpatch manage receive_email [--recipient ADDRESS] < message.eml``: one inbound email.

Run by the mail system for each email to a team's address (a pipe transport or alias).
Exit codes follow sysexits.h: 0 stored (or deliberately not: an auto-reply, a duplicate),
65 too large, 67 no team has that address, 75 try again later, 78 the set-up is wrong.
"""

from __future__ import annotations

import sys
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ourpatch.contact.inbound import MAX_EMAIL_BYTES, InboundRefused, receive_email


class Command(BaseCommand):
    help = "Store an email piped on standard input as a message to the team it is addressed to."
    # tests hand the email in directly: call_command("receive_email", stdin=BytesIO(...))
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--recipient",
            metavar="ADDRESS",
            help="the envelope recipient, as the mail system gives it (Postfix: ${recipient}); "
            "otherwise read from Delivered-To, X-Original-To, To and Cc",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stream: BinaryIO = options.get("stdin") or sys.stdin.buffer
        # one byte more than allowed is enough to know it is too large
        raw = stream.read(MAX_EMAIL_BYTES + 1)
        try:
            receipt = receive_email(raw, recipient=options.get("recipient"))
        except InboundRefused as refused:
            raise CommandError(str(refused), returncode=refused.exit_code) from None
        self.stdout.write(receipt.note)
