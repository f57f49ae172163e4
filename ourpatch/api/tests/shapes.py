"""Helpers for the API tests: the police.uk samples, and comparing JSON by shape."""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"


def sample(name: str) -> Any:
    """A real data.police.uk response, from fixtures/ (Open Government Licence v3.0)."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


# The ways of contact police.uk's contact_details may hold, all strings, each only if known.
CONTACT_KEYS = frozenset(sample("contact-details.json"))


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise TypeError(f"not JSON: {value!r}")


def assert_same_shape(
    theirs: Any,
    ours: Any,
    path: str = "$",
    *,
    extra: Collection[str] = (),
    may_be_empty: Collection[str] = (),
) -> None:
    """``ours`` has exactly the keys and JSON types of police.uk's ``theirs``, recursively.

    ``extra``: paths of keys ours may add (``$.engagement_methods[].type``);
    ``may_be_empty``: paths of lists ours may leave empty where police.uk's sample has items.
    Every ``contact_details`` is a bag: any of police.uk's contact keys, each a string.
    """
    kind = json_type(theirs)
    assert json_type(ours) == kind, f"{path}: police.uk has {kind}, ours {json_type(ours)}"
    if kind == "object":
        if path.endswith(".contact_details"):
            assert set(ours) <= CONTACT_KEYS, f"{path}: {set(ours) - CONTACT_KEYS}"
            assert all(isinstance(v, str) for v in ours.values()), path
            return
        allowed = {key for key in ours if f"{path}.{key}" in extra}
        assert set(ours) - allowed == set(theirs), (
            f"{path}: keys differ: police.uk only {sorted(set(theirs) - set(ours))}, "
            f"ours only {sorted(set(ours) - set(theirs) - allowed)}"
        )
        for key in theirs:
            assert_same_shape(
                theirs[key], ours[key], f"{path}.{key}", extra=extra, may_be_empty=may_be_empty
            )
    elif kind == "array":
        if not theirs:
            return
        if not ours:
            assert path in may_be_empty, f"{path}: police.uk's sample has items, ours none"
            return
        for item in ours:
            assert_same_shape(theirs[0], item, f"{path}[]", extra=extra, may_be_empty=may_be_empty)
