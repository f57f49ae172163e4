"""police.uk's crime categories and outcome codes, and the names real files use for them.

The street-level CSVs name a category ("Violence and sexual offences") where the API gives
its slug (``violent-crime``); outcome names in the CSVs differ in small wording from the
API's outcome list ("Offender given penalty notice" / "Offender given a penalty notice").
:func:`category_slug` and :func:`outcome_code` map every name found in real files to the
code; an unknown name gives None, and the importer keeps the original text and reports it.
"""

from __future__ import annotations

import re
from functools import lru_cache

ALL_CRIME = "all-crime"
ANTI_SOCIAL_BEHAVIOUR = "anti-social-behaviour"

# The 14 categories police.uk has published since May 2013, in its own order: (slug, name)
CATEGORIES: tuple[tuple[str, str], ...] = (
    (ANTI_SOCIAL_BEHAVIOUR, "Anti-social behaviour"),
    ("bicycle-theft", "Bicycle theft"),
    ("burglary", "Burglary"),
    ("criminal-damage-arson", "Criminal damage and arson"),
    ("drugs", "Drugs"),
    ("other-theft", "Other theft"),
    ("possession-of-weapons", "Possession of weapons"),
    ("public-order", "Public order"),
    ("robbery", "Robbery"),
    ("shoplifting", "Shoplifting"),
    ("theft-from-the-person", "Theft from the person"),
    ("vehicle-crime", "Vehicle crime"),
    ("violent-crime", "Violence and sexual offences"),
    ("other-crime", "Other crime"),
)
# Before May 2013 police.uk published these two, since split or renamed
LEGACY_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("public-disorder-weapons", "Public disorder and weapons"),
)

CATEGORY_NAMES: dict[str, str] = {
    ALL_CRIME: "All crime",
    **dict(CATEGORIES),
    **dict(LEGACY_CATEGORIES),
}


def _fold(name: str) -> str:
    """A name compared loosely: case, spacing, punctuation and articles ignored."""
    words = re.sub(r"[^a-z0-9]+", " ", name.casefold()).split()
    return " ".join(w for w in words if w not in ("a", "an", "the"))


_CATEGORY_BY_NAME: dict[str, str] = {
    **{_fold(name): slug for slug, name in (*CATEGORIES, *LEGACY_CATEGORIES)},
    **{_fold(slug): slug for slug, _ in (*CATEGORIES, *LEGACY_CATEGORIES)},
    # The names of 2010–2013 files
    _fold("Violent crime"): "violent-crime",
    _fold("Violence and sexual offences"): "violent-crime",
    _fold("Criminal damage & arson"): "criminal-damage-arson",
}


@lru_cache(maxsize=512)
def category_slug(name: str) -> str | None:
    """The slug for a category name or slug as files write it, or None if unknown."""
    return _CATEGORY_BY_NAME.get(_fold(name))


# police.uk's outcome categories: (code, the API's name)
OUTCOMES: tuple[tuple[str, str], ...] = (
    ("awaiting-court-result", "Awaiting court outcome"),
    ("court-result-unavailable", "Court result unavailable"),
    ("unable-to-proceed", "Court case unable to proceed"),
    ("local-resolution", "Local resolution"),
    ("no-further-action", "Investigation complete; no suspect identified"),
    ("deprived-of-property", "Offender deprived of property"),
    ("fined", "Offender fined"),
    ("absolute-discharge", "Offender given absolute discharge"),
    ("cautioned", "Offender given a caution"),
    ("drugs-possession-warning", "Offender given a drugs possession warning"),
    ("penalty-notice-issued", "Offender given a penalty notice"),
    ("community-penalty", "Offender given community sentence"),
    ("conditional-discharge", "Offender given conditional discharge"),
    ("suspended-sentence", "Offender given suspended prison sentence"),
    ("imprisoned", "Offender sent to prison"),
    ("other-court-disposal", "Offender otherwise dealt with"),
    ("compensation", "Offender ordered to pay compensation"),
    ("sentenced-in-another-case", "Suspect charged as part of another case"),
    ("charged", "Suspect charged"),
    ("not-guilty", "Defendant found not guilty"),
    ("sent-to-court", "Defendant sent to Crown Court"),
    ("unable-to-prosecute", "Unable to prosecute suspect"),
    ("formal-action-not-in-public-interest", "Formal action is not in the public interest"),
    ("action-taken-by-another-organisation", "Action to be taken by another organisation"),
    (
        "further-investigation-not-in-public-interest",
        "Further investigation is not in the public interest",
    ),
    ("further-action-not-in-public-interest", "Further action is not in the public interest"),
    ("under-investigation", "Under investigation"),
    ("status-update-unavailable", "Status update unavailable"),
)
OUTCOME_NAMES: dict[str, str] = dict(OUTCOMES)

# Names real CSVs use that differ from the API's by more than articles and spacing
OUTCOME_VARIANTS: dict[str, str] = {
    "Awaiting court result": "awaiting-court-result",
    "Offender given penalty notice": "penalty-notice-issued",
    "Offender given a community sentence": "community-penalty",
    "Offender given suspended sentence": "suspended-sentence",
    "Offender given conditional discharge ": "conditional-discharge",
    "Offender ordered to pay costs": "other-court-disposal",
    "Defendant discharged": "absolute-discharge",
    "Suspect charged as part of another case ": "sentenced-in-another-case",
    "No further action": "no-further-action",
    "Investigation complete - no suspect identified": "no-further-action",
}

_OUTCOME_BY_NAME: dict[str, str] = {
    **{_fold(name): code for code, name in OUTCOMES},
    **{_fold(code): code for code, _ in OUTCOMES},
    **{_fold(name): code for name, code in OUTCOME_VARIANTS.items()},
}


@lru_cache(maxsize=512)
def outcome_code(name: str) -> str | None:
    """The code for an outcome name as files write it, or None if unknown."""
    return _OUTCOME_BY_NAME.get(_fold(name))


def outcome_name(code: str) -> str:
    return OUTCOME_NAMES.get(code, code)


# Stop-and-search outcomes in the API's outcome_object
STOP_OUTCOME_PREFIX = "bu-"
