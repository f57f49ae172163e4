"""The shared row reader: CSV in chunks with line numbers, zoned times, quarantine keys and
the report that lists quarantined rows. No database: these are plain functions."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from ourpatch.geography.imports import ImportReport, _Bad
from ourpatch.importing.rows import (
    MAX_QUARANTINE_LISTED,
    NULL_TIME,
    QuarantineReport,
    RowKeys,
    RowProblem,
    from_microseconds,
    header_columns,
    parse_flag,
    parse_number_column,
    parse_time,
    parse_time_column,
    raw_row,
    read_csv,
    shown,
)

UTC = dt.UTC


def chunks(
    path: Path, chunk_rows: int = 1000, max_bytes: int = 10_000
) -> tuple[ImportReport, list[tuple[list[int], list[list[str]]]]]:
    report = ImportReport("rows", str(path), commit=False)
    return report, list(read_csv(path, path.name, report, max_bytes, chunk_rows))


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-10-25T01:30:00+01:00", dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        ("2026-10-25T01:30:00+00:00", dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
        ("2026-10-25T01:30:00Z", dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
        ("2026-10-25 01:30+0100", dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        ("2026-03-29T02:30:00.5+01", dt.datetime(2026, 3, 29, 1, 30, 0, 500_000, tzinfo=UTC)),
    ],
)
def test_a_zoned_time_is_read_in_utc(text: str, utc: dt.datetime) -> None:
    assert parse_time(text) == utc


@pytest.mark.parametrize(
    ("text", "reason", "words"),
    [
        ("2026-10-25T01:30:00", "no_zone", "has no zone: add Z or the offset"),
        ("25/10/2026 01:30", "not_a_time", "is not a date and time"),
        ("2026-02-30T07:00:00Z", "not_a_time", "is not a date and time"),
        ("20261025T013000Z", "not_a_time", "is not a date and time"),
    ],
)
def test_a_time_without_its_zone_or_unreadable_is_a_row_problem(
    text: str, reason: str, words: str
) -> None:
    with pytest.raises(RowProblem) as raised:
        parse_time(text)
    assert raised.value.reason == reason and words in raised.value.text
    assert repr(text) in raised.value.text


def test_a_column_of_times_follows_the_same_rules_as_one_time() -> None:
    values = [
        "2026-10-25T01:30:00+01:00",
        "",
        " 2026-10-25T01:30:00Z ",  # padded: read
        "2026-10-25T01:30:00",  # no zone
        "2026-02-30T07:00:00Z",  # the right shape, no such day
        "soon",
    ]
    found, problems = parse_time_column(values)
    assert from_microseconds(int(found[0])) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert found[1] == NULL_TIME and 1 not in problems  # empty: did not happen
    assert from_microseconds(int(found[2])) == dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert {at: p.reason for at, p in problems.items()} == {
        3: "no_zone",
        4: "not_a_time",
        5: "not_a_time",
    }
    assert all(found[at] == NULL_TIME for at in problems)


def test_a_column_of_numbers_names_the_ones_that_are_not() -> None:
    good, bad = parse_number_column(["1.5", "", "-2"])
    assert good[0] == 1.5 and math.isnan(good[1]) and good[2] == -2 and not bad
    mixed, bad = parse_number_column(["3", "three", ""])
    assert mixed[0] == 3 and math.isnan(mixed[1]) and math.isnan(mixed[2]) and bad == {1}


def test_flags() -> None:
    assert [parse_flag(t) for t in ("TRUE", "y", "1", "No", "f", "")] == [
        True,
        True,
        True,
        False,
        False,
        None,
    ]
    with pytest.raises(RowProblem, match="'maybe' is not true or false"):
        parse_flag("maybe")


def test_the_header_comes_first_then_rows_with_the_line_each_starts_on(tmp_path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(
        b"\xef\xbb\xbfa,b\r\n"
        b'1,"two, with a comma"\r\n'
        b"\r\n"  # blank
        b",\r\n"  # empty fields, as spreadsheets leave
        b'3,"four\r\nlines"\r\n'
        b"5,6\r\n"
    )
    report, read = chunks(path, chunk_rows=2)
    assert report.ok
    assert read[0] == ([1], [["a", "b"]])  # the BOM is not part of the first column's name
    assert read[1:] == [
        ([2, 5], [["1", "two, with a comma"], ["3", "four\r\nlines"]]),
        ([7], [["5", "6"]]),
    ]


def test_problems_with_the_whole_file_go_on_the_report(tmp_path) -> None:
    report, read = chunks(tmp_path / "absent.csv")
    assert read == [] and report.problems == ["absent.csv: no such file"]

    big = tmp_path / "big.csv"
    big.write_text("a\n" + "1\n" * 10_000)
    report, read = chunks(big, max_bytes=1000)
    assert read == [] and "the limit is" in report.problems[0]

    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"a,b\n1,2\n3,caf\xe9\n")
    report, _ = chunks(latin)
    assert not report.ok
    assert report.problems[0].startswith("latin.csv line 3: not UTF-8 (byte 0xE9")


def test_header_columns_in_any_order_and_case(tmp_path) -> None:
    columns, ignored = header_columns([" End", "START", "notes"], "f.csv", ("start", "end"), ())
    assert columns == {"end": 0, "start": 1, "notes": 2} and ignored == ["notes"]
    with pytest.raises(_Bad, match=r"f.csv line 1: missing column\(s\) end\. The first line"):
        header_columns(["start"], "f.csv", ("start", "end"), ("place",))
    with pytest.raises(_Bad, match=r"column\(s\) given twice: start"):
        header_columns(["start", "end", "Start"], "f.csv", ("start", "end"), ())


def test_the_raw_row_keeps_what_the_file_gave() -> None:
    assert raw_row([" A", "b"], ["1", "2", "3"]) == {"a": "1", "b": "2", "_extra": ["3"]}
    assert raw_row(["a", "b"], ["1"]) == {"a": "1"}


def test_quarantine_keys_are_the_same_on_a_second_reading_and_distinct_within_one() -> None:
    first, second = RowKeys(), RowKeys()
    row = {"a": "1", "b": "x"}
    keys = [first.key(row), first.key(dict(row)), first.key({"b": "x", "a": "1"})]
    assert len(set(keys)) == 3  # identical bad rows in one file are each kept
    assert [second.key(row) for _ in range(3)] == keys  # the same file again: the same keys


def test_the_report_lists_quarantined_rows_up_to_a_limit() -> None:
    report = QuarantineReport("calls", "calls.csv", commit=False)
    report.reason_labels = {"missing": "a required value is missing"}
    report.read = MAX_QUARANTINE_LISTED + 2
    for line in range(MAX_QUARANTINE_LISTED + 2):
        report.quarantine("missing", [f"calls.csv line {line + 2}, field 'x': missing"])
    text = report.as_text()
    assert report.rejected == MAX_QUARANTINE_LISTED + 2 and report.unlisted_quarantined == 2
    assert "quarantined 1002 bad row(s): would be kept aside" in text
    assert "… and 2 more problems, not listed" in text
    assert "quarantined by reason: a required value is missing: 1002" in text


def test_shown_quotes_and_cuts() -> None:
    assert shown("abc") == "'abc'"
    assert shown("x" * 50) == repr("x" * 40 + "…")
