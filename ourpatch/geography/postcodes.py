"""Postcode rules: what a resident types, turned into the ONS form."""

from __future__ import annotations

import re

# Outward code (area, district) then inward code (sector digit, unit letters).
_FULL = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})$")


def compact(text: str) -> str:
    """Upper-case with every space removed: ``" Ls1  4Ap "`` → ``"LS14AP"``."""
    return "".join(text.split()).upper()


def normalise(text: str) -> str | None:
    """The ONS ``pcds`` form of a full postcode (``"LS1 4AP"``), or None if it is not one."""
    match = _FULL.match(compact(text))
    if match is None:
        return None
    return f"{match.group(1)} {match.group(2)}"
