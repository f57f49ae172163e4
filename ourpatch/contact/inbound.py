"""Inbound email to a team's address, stored as a message like the web form's.

The mail system pipes each email to ``ourpatch manage receive_email``. The team is found by
the recipient: a neighbourhood's own address, or plus-addressing ``anything+<force>.<code>@…``.
Only text is kept (HTML is turned into text; attachments are not stored). The exit codes are
those of sysexits.h, which mail systems understand: a temporary failure is retried, any
other failure is returned to the sender with its reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from ourpatch.contact.messages import RateLimited, clean_text, receive_message
from ourpatch.contact.models import Message
from ourpatch.geography.models import Neighbourhood
from ourpatch.teams.models import TeamMember

EX_DATAERR = 65  # the email cannot be taken as it is (too large)
EX_NOUSER = 67  # no team has that address
EX_TEMPFAIL = 75  # try again later (too many from one sender this hour)
EX_CONFIG = 78  # two teams share one address: the force must fix its set-up

# The whole email as piped, attachments included; larger ones are refused, not cut
MAX_EMAIL_BYTES = 10 * 1024 * 1024
# The text kept, as the web form's message; a longer email is shortened, and says so
MAX_TEXT_CHARS = 5000

_REFERENCE = re.compile(r"\bM-[A-HJ-NP-Z2-9]{8}\b")


class InboundRefused(Exception):
    """The email is not stored; ``exit_code`` tells the mail system what to do."""

    def __init__(self, text: str, exit_code: int) -> None:
        super().__init__(text)
        self.exit_code = exit_code


@dataclass(frozen=True)
class InboundEmail:
    sender_name: str
    sender_email: str
    subject: str
    text: str
    message_id: str
    recipients: list[str]
    automatic: str  # why it is an automatic email (an auto-reply, a bounce), or ""
    attachments: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Receipt:
    message: Message | None
    note: str


class _TextFromHtml(HTMLParser):
    """HTML to plain text: paragraphs and line breaks kept, scripts and styles dropped."""

    # blocks stand apart with a blank line; line-level elements start a new line
    PARAGRAPH = frozenset(
        {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol"}
        | {"pre", "hr", "section", "article"}
    )
    LINE = frozenset({"br", "tr", "li"})
    HIDDEN = frozenset({"script", "style", "head", "title", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.link: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.PARAGRAPH:
            self.parts.append("\n\n")
        elif tag in self.LINE:
            self.parts.append("\n- " if tag == "li" else "\n")
        elif tag == "a":
            self.link = dict(attrs).get("href") or None

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.PARAGRAPH:
            self.parts.append("\n\n")
        elif tag == "a" and self.link:
            # keep where a link went, as text: a resident may point at a video or a post
            if self.link.startswith(("http://", "https://")):
                self.parts.append(f" <{self.link}>")
            self.link = None

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        lines = [line.strip() for line in "".join(self.parts).splitlines()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> str:
    parser = _TextFromHtml()
    parser.feed(html)
    parser.close()
    return parser.text()  # entities were decoded by the parser, once


def _content(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):
        # an unknown or wrong charset: keep what can be read rather than lose the message
        raw = part.get_payload(decode=True)
        content = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else ""
    return content if isinstance(content, str) else ""


def _addresses(message: EmailMessage, *names: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for name in names:
        for value in message.get_all(name, []):
            parsed = getattr(value, "addresses", None)
            if parsed is not None:  # an address header, already parsed by the policy
                found += [(a.display_name, a.addr_spec) for a in parsed]
            else:  # Delivered-To and X-Original-To are plain text
                found += getaddresses([str(value)])
    return [(n, a.strip()) for n, a in found if a.strip()]


def _valid_email(address: str) -> str:
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address


def _automatic(message: EmailMessage) -> str:
    """Why this is a machine's email (RFC 3834 and common practice), or ''."""
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    if str(message.get("Return-Path", "")).strip() == "<>":
        return "a delivery report (empty return path)"
    if message.get_content_type() == "multipart/report":
        return "a delivery report"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return f"Precedence: {precedence}"
    if message.get("X-Autoreply") or message.get("X-Autorespond"):
        return "an auto-reply"
    return ""


def parse_email(raw: bytes) -> InboundEmail:
    """Read an RFC 822 email: who sent it, to whom, and its text (never its HTML)."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    senders = _addresses(message, "Reply-To") or _addresses(message, "From")
    name, address = senders[0] if senders else ("", "")
    text = ""
    for preference in (("plain", "html"), ("html",)):
        # the text part first; the HTML one if there is none (or it is left empty)
        body = message.get_body(preferencelist=preference)
        if isinstance(body, EmailMessage):
            text = _content(body)
            if body.get_content_type() == "text/html":
                text = html_to_text(text)
        if text.strip():
            break
    attachments = [
        part.get_filename() or part.get_content_type() for part in message.iter_attachments()
    ]
    recipients = [a for _, a in _addresses(message, "Delivered-To", "X-Original-To", "To", "Cc")]
    return InboundEmail(
        sender_name=clean_text(name),
        sender_email=_valid_email(address),
        subject=clean_text(str(message.get("Subject", ""))),
        text=text,
        message_id=str(message.get("Message-ID", "")).strip(),
        recipients=recipients,
        automatic=_automatic(message),
        attachments=[clean_text(a) for a in attachments],
    )


def find_team(recipients: Iterable[str]) -> Neighbourhood | None:
    """The team an email is for: the first recipient that is a team's address.

    A team's own address matches whatever its case; ``anything+<force>.<code>@…`` names the
    team directly (so one mailbox can serve every team).
    """
    for address in recipients:
        address = address.strip()
        if not address:
            continue
        exact = list(Neighbourhood.objects.current().filter(email__iexact=address)) or list(
            Neighbourhood.objects.filter(email__iexact=address)
        )
        if len(exact) > 1:
            raise InboundRefused(
                f"{address} is the address of {len(exact)} teams "
                f"({', '.join(n.name for n in exact[:5])}): give each team its own",
                EX_CONFIG,
            )
        if exact:
            return exact[0]
        local = address.rpartition("@")[0]
        if "+" in local:
            tag = local.split("+", 1)[1]
            force, _, code = tag.partition(".")
            if force and code:
                found = Neighbourhood.objects.filter(
                    force__id__iexact=force, code__iexact=code
                ).first()
                if found is not None:
                    return found
    return None


def _shorten(text: str) -> str:
    if len(text) <= MAX_TEXT_CHARS:
        return text
    note = (
        f"\n\n[Shortened: the email's text was {len(text):,} characters; "
        "the first part is kept here. Ask the resident for the rest if it is needed.]"
    )
    return text[: MAX_TEXT_CHARS - len(note)].rstrip() + note


def _follow_up_of(area: Neighbourhood, subject: str) -> tuple[str, TeamMember | None]:
    """A reply to one of our emails names its reference: keep it with the same officer."""
    for reference in _REFERENCE.findall(subject):
        # operational fields only: who has the earlier message, not what it says
        earlier = list(
            Message.objects.filter(neighbourhood=area, reference=reference).values_list(
                "assigned_to", flat=True
            )[:1]
        )
        if earlier:
            member = TeamMember.objects.filter(pk=earlier[0]).first() if earlier[0] else None
            return reference, member
    return "", None


def receive_email(
    raw: bytes, *, recipient: str | None = None, now: dt.datetime | None = None
) -> Receipt:
    """Store one inbound email as a message for its team; raise InboundRefused if not."""
    if len(raw) > MAX_EMAIL_BYTES:
        raise InboundRefused(
            f"The email is too large: more than {MAX_EMAIL_BYTES // (1024 * 1024)} MB. "
            "Send the text without attachments, or use the contact form.",
            EX_DATAERR,
        )
    email = parse_email(raw)
    candidates = [recipient] if recipient else []
    area = find_team([*candidates, *email.recipients])
    if area is None:
        shown = ", ".join([*candidates, *email.recipients][:5]) or "no recipient given"
        raise InboundRefused(f"No neighbourhood team has this address ({shown}).", EX_NOUSER)
    if email.automatic:
        # answering a machine would start a mail loop; a person writes again if they need to
        return Receipt(None, f"Not stored: an automatic email ({email.automatic}).")
    ours = {str(settings.DEFAULT_FROM_EMAIL).lower()}
    if email.sender_email.lower() in ours:
        return Receipt(None, "Not stored: sent by ourpatch itself.")
    if (
        email.message_id
        and Message.objects.filter(neighbourhood=area, email_message_id=email.message_id).exists()
    ):
        return Receipt(None, f"Already stored: {email.message_id} for the {area.name} team.")

    parts = []
    if email.subject:
        parts.append(f"Subject: {email.subject}")
    parts.append(clean_text(email.text) or "(The email had no text.)")
    if email.attachments:
        parts.append(
            f"[{len(email.attachments)} attachment(s) not stored: "
            f"{', '.join(email.attachments)[:300]}]"
        )
    body = _shorten("\n\n".join(parts))
    reference, earlier_member = _follow_up_of(area, email.subject)
    try:
        with transaction.atomic():
            message = receive_message(
                area,
                name=email.sender_name or email.sender_email or "Unknown sender",
                email=email.sender_email,
                telephone="",
                body=body,
                # the rate limit counts per sending address, as the form counts per network
                client_address=f"email:{email.sender_email.lower()}",
                write_to=earlier_member,
                channel="email",
                email_message_id=email.message_id,
                routing_context=f"Follows up {reference}." if reference else "",
                now=now,
            )
    except RateLimited as limited:
        raise InboundRefused(f"{limited} Try again later.", EX_TEMPFAIL) from None
    except IntegrityError:
        # the same email delivered twice at once: the other delivery stored it
        return Receipt(None, f"Already stored: {email.message_id} for the {area.name} team.")
    return Receipt(message, f"Stored as {message.reference} for the {area.name} team.")
