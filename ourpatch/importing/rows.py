"""What the row-by-row imports share (the call and duty imports): reading an export row by
row, times that must carry their zone, and a report that lists the rows kept in quarantine.

These imports follow "no good record is lost": unlike the boundary or survey imports, a bad
row does not refuse the file. Good rows are imported; each bad row is kept in the importing
app's quarantine model (such as :class:`~ourpatch.calls.models.RejectedCall` or
:class:`~ourpatch.teams.models.RejectedDuty`) and listed, so that the Pledge figures can say
how many records they exclude and why. Only a problem with the whole file (too large, not
UTF-8, not CSV, a wrong header) refuses it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ourpatch.geography.imports import ImportReport, _Bad, _utf8_lines, check_file

# A report lists this many quarantined rows and counts the rest.
MAX_QUARANTINE_LISTED = 1000

YES = frozenset({"true", "yes", "y", "1", "t"})
NO = frozenset({"false", "no", "n", "0", "f"})


class RowProblem(ValueError):
    """One field of one row is wrong: ``reason`` is a quarantine reason code."""

    def __init__(self, reason: str, text: str) -> None:
        super().__init__(text)
        self.reason = reason
        self.text = text


def shown(text: str, limit: int = 40) -> str:
    """A value quoted in a message, cut short."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


# The times accepted: ISO 8601 extended format with seconds optional, up to microseconds, and
# the zone (Z, +01, +0100, +01:00). The vectorised and the row-by-row paths accept the same.
ISO_ZONED = r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d(:?\d\d)?)"
_ISO_ZONED = re.compile(ISO_ZONED)
# An empty (or unreadable) time in a column of microseconds since the epoch
NULL_TIME = np.iinfo(np.int64).min
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
ONE_MICROSECOND = dt.timedelta(microseconds=1)


def parse_time(text: str) -> dt.datetime:
    """An ISO 8601 date and time with its zone (``Z`` or an offset), in UTC.

    A time without a zone is refused: "01:30" on the last Sunday of October happens twice in
    Europe/London, and on the last Sunday of March not at all, so only the offset says which
    instant the export meant.
    """
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is not None and value.tzinfo is None:
        raise RowProblem(
            "no_zone",
            f"{shown(text)} has no zone: add Z or the offset, such as +01:00 in summer time",
        )
    if value is None or _ISO_ZONED.fullmatch(text) is None:
        raise RowProblem(
            "not_a_time",
            f"{shown(text)} is not a date and time such as 2026-10-25T01:30:00+01:00",
        )
    return value.astimezone(dt.UTC)


def microseconds(value: dt.datetime) -> int:
    return (value - EPOCH) // ONE_MICROSECOND


def from_microseconds(value: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=value)


def parse_time_column(values: Sequence[str]) -> tuple[np.ndarray, dict[int, RowProblem]]:
    """A column of times at once: microseconds since the epoch (NULL_TIME where empty or
    bad), and the problem of each bad one by position. Same rules as :func:`parse_time`."""
    problems: dict[int, RowProblem] = {}
    texts = pa.array(values, pa.string())
    shaped = pc.match_substring_regex(texts, f"^{ISO_ZONED}$")
    empty = pc.equal(pc.binary_length(texts), 0)
    candidates = pc.if_else(shaped, texts, pa.scalar(None, pa.string()))
    try:
        found = pc.cast(candidates, pa.timestamp("us", tz="UTC")).cast(pa.int64())
        result = found.fill_null(NULL_TIME).to_numpy(zero_copy_only=False).copy()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # a value of the right shape that is no time (30 February): read each one here
        result = np.full(len(values), NULL_TIME, dtype=np.int64)
        for at in np.flatnonzero(shaped.to_numpy(zero_copy_only=False)).tolist():
            try:
                result[at] = microseconds(parse_time(values[at]))
            except RowProblem as problem:
                problems[at] = problem
    wrong = pc.invert(pc.or_(shaped, empty)).to_numpy(zero_copy_only=False)
    for at in np.flatnonzero(wrong).tolist():
        text = values[at].strip()  # padded with spaces, perhaps
        if text:
            try:
                result[at] = microseconds(parse_time(text))
            except RowProblem as problem:
                problems[at] = problem
    return result, problems


def parse_number_column(values: Sequence[str]) -> tuple[np.ndarray, set[int]]:
    """A column of numbers at once: float64, NaN where empty; and the positions of those
    that are not numbers."""
    texts = pa.array(values, pa.string())
    empty = pc.equal(pc.binary_length(texts), 0)
    try:
        numbers = pc.cast(pc.if_else(empty, pa.scalar(None, pa.string()), texts), pa.float64())
        return numbers.fill_null(np.nan).to_numpy(zero_copy_only=False).copy(), set()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        result = np.full(len(values), np.nan)
        bad: set[int] = set()
        for at, text in enumerate(values):
            if text.strip():
                try:
                    result[at] = float(text)
                except ValueError:
                    bad.add(at)
        return result, bad


def parse_flag(text: str) -> bool | None:
    """true/false (or yes/no, 1/0) as a bool; empty as None."""
    folded = text.lower()
    if folded in YES:
        return True
    if folded in NO:
        return False
    if not folded:
        return None
    raise RowProblem("bad_value", f"{shown(text)} is not true or false")


@dataclass
class QuarantineReport(ImportReport):
    """An :class:`ImportReport` whose bad rows are quarantined rather than refusing the file.

    ``rejected``: bad rows, each kept in quarantine (``already_quarantined`` of them were
    there from an earlier import of the same rows). ``cleared``: rows quarantined before
    that a good row has now replaced.
    """

    quarantined: list[str] = field(default_factory=list)
    unlisted_quarantined: int = 0
    rejected_by_reason: Counter[str] = field(default_factory=Counter)
    reason_labels: dict[str, str] = field(default_factory=dict)
    already_quarantined: int = 0
    cleared: int = 0
    seconds: float = 0.0

    def quarantine(self, reason: str, messages: Sequence[str]) -> None:
        """One bad row, with its problems (each naming the file, line and field)."""
        self.rejected += 1
        self.rejected_by_reason[reason] += 1
        for text in messages:
            if len(self.quarantined) < MAX_QUARANTINE_LISTED:
                self.quarantined.append(text)
            else:
                self.unlisted_quarantined += 1

    def refuse(self) -> None:
        super().refuse()
        self.cleared = self.already_quarantined = 0

    def as_text(self) -> str:
        lines = [super().as_text()]
        if not self.ok:
            return "\n".join(lines)
        would = "" if self.committed else "would be "
        if self.rejected:
            again = (
                f"; {self.already_quarantined} already there from an earlier import"
                if self.already_quarantined
                else ""
            )
            lines.append(
                f"  quarantined {self.rejected} bad row(s): {would}kept aside, not counted in "
                f"any figure, which show them as excluded{again}:"
            )
            lines += [f"    - {q}" for q in self.quarantined]
            if self.unlisted_quarantined:
                lines.append(f"    … and {self.unlisted_quarantined} more problems, not listed")
            reasons = "; ".join(
                f"{self.reason_labels.get(r, r)}: {n}"
                for r, n in sorted(self.rejected_by_reason.items())
            )
            lines.append(f"  quarantined by reason: {reasons}")
        if self.cleared:
            lines.append(
                f"  {self.cleared} row(s) quarantined by an earlier import {would}released: "
                "a good row for the same record replaces them (counted as changed)"
            )
        if self.read >= 10_000 and self.seconds > 0:  # a speed, once it means something
            lines.append(f"  {self.read / self.seconds:,.0f} rows/s")
        return "\n".join(lines)


def read_csv(
    path: Path, name: str, report: ImportReport, max_bytes: int, chunk_rows: int
) -> Iterator[tuple[list[int], list[list[str]]]]:
    """The file's header first, as ([1], [columns]); then its non-blank rows in chunks, as
    (the line each row starts on, the rows' fields).

    A BOM, CRLF line ends, quoted commas and quoted line breaks are fine. Problems with the
    whole file go on the report (which then refuses it) and end the rows.
    """
    try:
        check_file(path, name, max_bytes)
    except _Bad as bad:
        report.problem(str(bad))
        return
    try:
        # Decoded in blocks: far faster than line by line, for the files that are UTF-8
        with path.open(encoding="utf-8-sig", newline="") as text:
            reader = csv.reader(text)
            lines: list[int] = []
            records: list[list[str]] = []
            last = 0
            header = True
            try:
                for record in reader:
                    first, last = last + 1, reader.line_num
                    if not record or not (record[0] or any(record)):
                        continue  # a blank line, or one of empty fields (as spreadsheets leave)
                    if len(record) == 1 and not record[0].strip():
                        continue
                    if header:
                        yield [first], [record]
                        header = False
                        continue
                    lines.append(first)
                    records.append(record)
                    if len(records) >= chunk_rows:
                        yield lines, records
                        lines, records = [], []
            except csv.Error as error:
                report.problem(f"{name} line {reader.line_num}: not CSV ({error})")
            if records:
                yield lines, records
    except UnicodeDecodeError:
        # Read it again line by line, to name each line that is not UTF-8
        with path.open("rb") as stream:
            for _ in _utf8_lines(stream, name, report):
                pass


def header_columns(
    header: list[str], name: str, required: Sequence[str], optional: Sequence[str]
) -> tuple[dict[str, int], list[str]]:
    """Column name → position, and the columns ignored; raises _Bad on a wrong header."""
    columns: dict[str, int] = {}
    repeated: list[str] = []
    for at, text in enumerate(header):
        column = text.strip().lower()
        if column in columns:
            repeated.append(column)
        columns.setdefault(column, at)
    missing = [c for c in required if c not in columns]
    if missing:
        raise _Bad(
            f"{name} line 1: missing column(s) {', '.join(missing)}. The first line must be "
            f"the header: {', '.join((*required, *optional))} (in any order)"
        )
    if repeated:
        raise _Bad(f"{name} line 1: column(s) given twice: {', '.join(sorted(set(repeated)))}")
    known = set(required) | set(optional)
    return columns, [c for c in columns if c not in known]


def raw_row(header: list[str], record: list[str]) -> dict[str, object]:
    """The row as the file gave it, for the quarantine."""
    raw: dict[str, object] = {h.strip().lower(): v for h, v in zip(header, record, strict=False)}
    if len(record) > len(header):
        raw["_extra"] = record[len(header) :]
    return raw


class RowKeys:
    """Quarantine keys: a digest of the raw row and how many identical bad rows came before
    it in the file. Importing the same rows again finds the same keys, so no row is
    quarantined twice, whatever the file is called."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()

    def key(self, raw: dict[str, object]) -> str:
        text = json.dumps(raw, sort_keys=True, ensure_ascii=False)
        digest = hashlib.sha256(text.encode()).hexdigest()
        n = self.seen[digest]
        self.seen[digest] += 1
        return digest if n == 0 else hashlib.sha256(f"{digest}:{n}".encode()).hexdigest()
