"""Illustrated portraits for the demonstration force's invented team members.

The Pledge asks for a photo of every team member. The demo's people are invented, so each
gets a drawing instead: a head-and-shoulders figure on a coloured background, in a police
cap with the chequered band (black and white for officers, blue and white for PCSOs) or
everyday clothes for staff and volunteers. It is never a photograph of anyone, and its
description says so.

Deterministic: the drawing is one of LOOKS for the member's kind of role, chosen by a hash
of their collar number (never their name, so nothing about anyone's looks is guessed from
it), and a PNG has no timestamp, so a rebuild writes the same bytes. Each look is drawn
once per build and its bytes reused: drawing takes about a millisecond, a thousand of them
a second.
"""

from __future__ import annotations

import functools
import hashlib
import io

from django.utils.text import slugify
from PIL import Image, ImageDraw

from ourpatch.teams.models import Role, TeamMember

SIZE = 160  # shown at 96 CSS pixels: sharp on screens of up to 1.7 device pixels each
SCALE = 2  # drawn at twice the size, then reduced: smooth edges without a font or SVG
COLOURS = 48  # a palette PNG of 48 colours keeps each file to a few KB
ALT_LENGTH = TeamMember._meta.get_field("photo_alt").max_length or 200
LOOKS = 48  # per kind of role: two colleagues in a team of six rarely look alike

BACKGROUNDS = (
    (0xC9, 0xDD, 0xF0),
    (0xD8, 0xEB, 0xD2),
    (0xF3, 0xE1, 0xC4),
    (0xE7, 0xD6, 0xEE),
    (0xF2, 0xD3, 0xD0),
    (0xCF, 0xE8, 0xE6),
    (0xE9, 0xE6, 0xCF),
    (0xDA, 0xDC, 0xE3),
)
SKIN = (
    (0xF6, 0xD5, 0xB8),
    (0xE8, 0xB9, 0x94),
    (0xC8, 0x8F, 0x65),
    (0xA0, 0x6A, 0x45),
    (0x7A, 0x4C, 0x2E),
    (0x5A, 0x36, 0x22),
)
HAIR = (
    (0x1E, 0x19, 0x16),
    (0x3B, 0x2A, 0x1E),
    (0x6B, 0x4A, 0x2F),
    (0xA8, 0x6B, 0x3C),
    (0xD9, 0xB9, 0x74),
    (0x9C, 0x9A, 0x98),
)
CIVILIAN_CLOTHES = (
    (0x2F, 0x6F, 0x8F),
    (0x7A, 0x3B, 0x5C),
    (0x3F, 0x7D, 0x4E),
    (0x8A, 0x5A, 0x2B),
    (0x4B, 0x4F, 0x8C),
)
TUNIC = (0x17, 0x1B, 0x26)
EPAULETTE = (0x2A, 0x30, 0x40)
SHIRT = (0xF4, 0xF4, 0xF2)
CAP = (0x12, 0x14, 0x1A)
WHITE = (0xFF, 0xFF, 0xFF)
OFFICER_BAND = (0x12, 0x14, 0x1A)  # the Sillitoe tartan: black and white
PCSO_BAND = (0x1F, 0x4E, 0xA8)  # PCSOs wear blue and white
HI_VIS = (0xD8, 0xE8, 0x2A)  # a volunteer's tabard

UNIFORMED = frozenset({Role.INSPECTOR, Role.SERGEANT, Role.CONSTABLE, Role.SPECIAL, Role.PCSO})

# How a member is named on their portrait's description
TITLES: dict[Role, str] = {
    Role.INSPECTOR: "Inspector",
    Role.SERGEANT: "Sergeant",
    Role.CONSTABLE: "PC",
    Role.PCSO: "PCSO",
    Role.SPECIAL: "Special Constable",
    Role.COORDINATOR: "neighbourhood co-ordinator",
    Role.VOLUNTEER: "police support volunteer",
}


def _digest(key: str) -> bytes:
    """Stable bytes from ``key`` (Python's own hash() changes from run to run)."""
    return hashlib.sha256(key.encode("utf-8")).digest()


def portrait_filename(collar_number: str) -> str:
    """The portrait's file name, one per member (removing one member's photo deletes its
    file, so no two members may share one)."""
    return f"demo-portrait-{slugify(collar_number)}.png"


def portrait_alt(name: str, role: Role) -> str:
    """The portrait's description, for people who cannot see it."""
    if role in UNIFORMED:
        dress = "in police uniform and cap"
    elif role == Role.VOLUNTEER:
        dress = "in a high-visibility tabard"
    else:
        dress = "in everyday clothes"
    alt = f"Illustrated portrait of {TITLES[role]} {name}, {dress} (a drawing, not a photo)"
    if len(alt) > ALT_LENGTH:  # a very long name: the name matters more than the clothes
        alt = f"Illustrated portrait of {TITLES[role]} {name} (a drawing)"
    return alt if len(alt) <= ALT_LENGTH else alt[: ALT_LENGTH - 1] + "…"


def portrait_png(key: str, role: Role) -> bytes:
    """The portrait of the member ``key`` (their collar number): a head-and-shoulders
    drawing, SIZE pixels square, as a small palette PNG."""
    look = int.from_bytes(_digest(key)[:4], "big") % LOOKS
    # Officers of every rank wear the same uniform
    kind = Role.CONSTABLE if role in UNIFORMED and role != Role.PCSO else role
    return _drawing(kind, look)


@functools.lru_cache(maxsize=8 * LOOKS)
def _drawing(role: Role, look: int) -> bytes:
    pick = _digest(f"look {look}")
    background = BACKGROUNDS[pick[0] % len(BACKGROUNDS)]
    skin = SKIN[pick[1] % len(SKIN)]
    hair = HAIR[pick[2] % len(HAIR)]
    style = pick[3] % 4  # cropped, short, long, tied up
    s = SIZE * SCALE

    # Shapes are placed in fractions of the picture's side
    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
        return (round(x0 * s), round(y0 * s), round(x1 * s), round(y1 * s))

    def points(*xy: tuple[float, float]) -> list[tuple[int, int]]:
        return [(round(x * s), round(y * s)) for x, y in xy]

    image = Image.new("RGB", (s, s), background)
    draw = ImageDraw.Draw(image)
    uniformed = role in UNIFORMED

    # Long hair falls behind the shoulders, so it is drawn first
    if style == 2 and not uniformed:
        draw.rounded_rectangle(box(0.30, 0.22, 0.70, 0.72), radius=round(0.12 * s), fill=hair)
    elif style == 2:
        draw.rounded_rectangle(box(0.32, 0.30, 0.68, 0.66), radius=round(0.08 * s), fill=hair)

    # Shoulders and clothes
    if uniformed:
        draw.ellipse(box(0.10, 0.70, 0.90, 1.30), fill=TUNIC)
        # The white shirt's open collar and the black tie
        draw.polygon(points((0.42, 0.70), (0.58, 0.70), (0.50, 0.84)), fill=SHIRT)
        draw.polygon(points((0.47, 0.72), (0.53, 0.72), (0.50, 0.84)), fill=TUNIC)
        for left in (0.18, 0.68):  # epaulettes
            draw.rounded_rectangle(box(left, 0.80, left + 0.14, 0.84), radius=4, fill=EPAULETTE)
    else:
        clothes = CIVILIAN_CLOTHES[pick[4] % len(CIVILIAN_CLOTHES)]
        draw.ellipse(box(0.10, 0.70, 0.90, 1.30), fill=clothes)
        draw.ellipse(box(0.40, 0.68, 0.60, 0.78), fill=skin)  # the neck line
        if role == Role.VOLUNTEER:
            draw.rectangle(box(0.22, 0.84, 0.36, 1.0), fill=HI_VIS)
            draw.rectangle(box(0.64, 0.84, 0.78, 1.0), fill=HI_VIS)

    # Neck and head
    draw.rectangle(box(0.44, 0.56, 0.56, 0.72), fill=skin)
    draw.ellipse(box(0.33, 0.25, 0.67, 0.65), fill=skin)
    draw.ellipse(box(0.305, 0.42, 0.345, 0.50), fill=skin)  # ears
    draw.ellipse(box(0.655, 0.42, 0.695, 0.50), fill=skin)

    if uniformed:
        # Hair at the sides, then the peaked cap with its chequered band
        if style:
            draw.rectangle(box(0.33, 0.33, 0.37, 0.44), fill=hair)
            draw.rectangle(box(0.63, 0.33, 0.67, 0.44), fill=hair)
        draw.chord(box(0.28, 0.12, 0.72, 0.44), 180, 360, fill=CAP)
        band = PCSO_BAND if role == Role.PCSO else OFFICER_BAND
        left, right, top, bottom = 0.30, 0.70, 0.28, 0.36
        squares = 8
        step = (right - left) / squares
        for i in range(squares):
            for row in range(2):
                colour = band if (i + row) % 2 == 0 else WHITE
                y0 = top + row * (bottom - top) / 2
                draw.rectangle(
                    box(left + i * step, y0, left + (i + 1) * step, y0 + (bottom - top) / 2),
                    fill=colour,
                )
        draw.chord(box(0.31, 0.31, 0.69, 0.42), 0, 180, fill=CAP)  # the peak
    else:
        if style == 0:
            draw.chord(box(0.33, 0.24, 0.67, 0.52), 180, 360, fill=hair)
        elif style == 1:
            draw.chord(box(0.32, 0.22, 0.68, 0.56), 170, 370, fill=hair)
        elif style == 2:
            draw.chord(box(0.31, 0.22, 0.69, 0.54), 175, 365, fill=hair)
        else:
            draw.chord(box(0.32, 0.22, 0.68, 0.54), 175, 365, fill=hair)
            draw.ellipse(box(0.43, 0.12, 0.57, 0.26), fill=hair)  # a bun

    small = image.reduce(SCALE)  # a box filter: plenty for flat shapes
    out = io.BytesIO()
    small.quantize(COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(
        out, "PNG"
    )
    return out.getvalue()
