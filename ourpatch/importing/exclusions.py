"""How many records a figure leaves out, and why: "n excluded" beside the figure.

An import that quarantines the rows it cannot trust (the call import's
:class:`~ourpatch.calls.models.RejectedCall`, the duty import's
:class:`~ourpatch.teams.models.RejectedDuty`) counts them for the figures measured on its
records, so that a malformed record is never counted silently nor dropped silently. Each app
counts its own quarantine (:func:`ourpatch.calls.exclusions.call_exclusions`,
:func:`ourpatch.teams.duties.duty_exclusions`) into an :class:`Exclusions`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Exclusions:
    """Rows left out of a figure: counts by reason code, and those with no readable time.

    ``labels`` turns a reason code into words (the importing app's reasons; a code without
    one is shown as it is); ``hours`` is the time the excluded rows cover, where a figure
    counts time (duties).
    """

    by_reason: dict[str, int] = field(default_factory=dict)
    undated: int = 0
    labels: dict[str, str] = field(default_factory=dict)
    hours: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.by_reason.values())

    def reasons(self) -> list[tuple[str, int]]:
        """(reason in words, count), most frequent first."""
        named = [(self.labels.get(reason, reason), n) for reason, n in self.by_reason.items()]
        return sorted(named, key=lambda item: (-item[1], item[0]))

    def labelled(self) -> Counter[str]:
        """Counts by reason in words, to merge with a rule's own exclusions."""
        return Counter(dict(self.reasons()))

    def summary(self) -> str:
        """For the page beside the figure: "3 excluded: 2 times out of order, 1 …"."""
        if not self.total and not self.undated:
            return "none excluded"
        parts = [f"{n} {label}" for label, n in self.reasons()]
        text = f"{self.total} excluded"
        if self.hours:
            text += f" ({self.hours:,.1f} hours)"
        text += f": {', '.join(parts)}" if parts else ""
        if self.undated:
            text += f" (and {self.undated} with no readable time, in no month)"
        return text


__all__ = ["Exclusions"]
