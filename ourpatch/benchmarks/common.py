"""What every benchmark shares: figures with targets, the table, and the RESULT line."""

from __future__ import annotations

import contextlib
import math
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

Better = Literal["higher", "lower", "info"]

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Figure:
    """One measured number, what it should be, and the RESULT key it is reported under.

    ``target`` is None for figures reported for information only; ``value`` is NaN when
    the figure was not measured (skipped).
    """

    key: str
    label: str
    value: float
    unit: str = ""
    target: float | None = None
    better: Better = "info"
    note: str = ""

    def __post_init__(self) -> None:
        if not _KEY.match(self.key):
            raise ValueError(f"a RESULT key is lower-case letters, digits and _: {self.key!r}")

    @property
    def measured(self) -> bool:
        return not math.isnan(self.value)

    @property
    def met(self) -> bool | None:
        """True or False against the target; None when there is no target or no value."""
        if self.target is None or self.better == "info" or not self.measured:
            return None
        if self.better == "higher":
            return self.value >= self.target
        return self.value <= self.target

    def target_text(self) -> str:
        if self.target is None or self.better == "info":
            return ""
        sign = "≥" if self.better == "higher" else "≤"
        return f"{sign} {number(self.target)} {self.unit}".rstrip()

    def verdict(self) -> str:
        if not self.measured:
            return "skipped"
        met = self.met
        if met is None:
            return ""
        return "met" if met else "MISSED"


def number(value: float) -> str:
    """A figure for people: thousands separated, about three significant digits."""
    if math.isnan(value):
        return "-"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def raw(value: float) -> str:
    """A figure for the RESULT line: plain digits, no separators, ``nan`` when skipped."""
    if math.isnan(value):
        return "nan"
    if value == int(value) and abs(value) >= 100:
        return str(int(value))
    if abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.4g}"


def table(figures: Sequence[Figure], title: str = "") -> str:
    """A plain-text table: figure, value, unit, target, verdict, note."""
    header = ("figure", "value", "unit", "target", "", "note")
    rows = [
        (f.label, number(f.value), f.unit, f.target_text(), f.verdict(), f.note) for f in figures
    ]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Iterable[str]) -> str:
        parts = []
        for i, cell in enumerate(cells):
            parts.append(cell.rjust(widths[i]) if i == 1 else cell.ljust(widths[i]))
        return "  ".join(parts).rstrip()

    out = [title] if title else []
    out.append(line(header))
    out.append("  ".join("-" * w for w in widths))
    out.extend(line(r) for r in rows)
    return "\n".join(out)


def result_line(figures: Sequence[Figure], first: Sequence[str] = ()) -> str:
    """``RESULT k=v ...``: the keys in ``first`` in that order, then the others as given."""
    by_key = {f.key: f for f in figures}
    if len(by_key) != len(figures):
        raise ValueError("two figures share a RESULT key")
    missing = [k for k in first if k not in by_key]
    if missing:
        raise ValueError(f"no figure for RESULT key(s): {', '.join(missing)}")
    ordered = [by_key[k] for k in first] + [f for f in figures if f.key not in first]
    return "RESULT " + " ".join(f"{f.key}={raw(f.value)}" for f in ordered)


def parse_result(line: str) -> dict[str, float]:
    """The numbers of a RESULT line, by key (``nan`` for skipped figures)."""
    words = line.strip().split()
    if not words or words[0] != "RESULT":
        raise ValueError(f"not a RESULT line: {line!r}")
    values: dict[str, float] = {}
    for word in words[1:]:
        key, sep, value = word.partition("=")
        if not sep or not _KEY.match(key) or key in values:
            raise ValueError(f"bad RESULT item {word!r}")
        values[key] = float(value)
    return values


def percentile(samples: npt.ArrayLike, q: float) -> float:
    """The q-th percentile (0-100) by the nearest-rank method: a value actually observed."""
    values = np.sort(np.asarray(samples, dtype=np.float64))
    if len(values) == 0:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(values)))
    return float(values[rank - 1])


@contextlib.contextmanager
def postgres_database(server_url: str, label: str, keep: bool = False) -> Iterator[str | None]:
    """A temporary database ``ourpatch_bench_<label>_<pid>`` on the server, dropped afterwards
    (unless ``keep``); None when no server is named or it is unreachable."""
    if not server_url:
        yield None
        return
    import psycopg

    name = f"ourpatch_bench_{label}_{os.getpid()}"
    try:
        admin = psycopg.connect(server_url.replace("postgres://", "postgresql://"), autocommit=True)
    except psycopg.Error as error:
        print(f"PostgreSQL not reachable ({error}); skipped", file=sys.stderr, flush=True)
        yield None
        return
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield server_url.rsplit("/", 1)[0] + "/" + name
        finally:
            if not keep:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
