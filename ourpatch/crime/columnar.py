"""Reading a police.uk street-level file a column at a time, by the row reader's rules.

A national month is half a million rows; checked one at a time in Python they cost about
45 µs each. Here the file is parsed by ``pyarrow.csv`` and the checks of
:class:`ourpatch.crime.imports._FileReader` are applied to whole columns (pyarrow compute and
numpy). The rules stay stated once, in the row reader: a row that any column check doubts
(a "suspect") is handed to the row reader, which words each problem with its line and field,
or finds none, and then the row is good after all. So the column checks are written to doubt
at least every row the row reader would refuse; doubting more only costs time.

A file pyarrow does not read as a clean table (a row with the wrong number of fields, a
quote never closed, a header it reads differently) is read by the row reader instead, so its
messages are the row reader's too. So are the 2010–2013 files with eastings and northings,
which are small.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from itertools import compress
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ourpatch.crime import categories

# imports.py imports this module only when it reads a file, so this is no import cycle
from ourpatch.crime.imports import (
    MAX_CRIME_ID,
    MAX_LOCATION,
    MAX_OUTCOME_TEXT,
    NO_LOCATION,
    STREET,
    Columns,
    _FileReader,
    _month,
    _Row,
)
from ourpatch.geography.locate import UK_BOUNDS

# What Python's str.strip() removes (str.isspace): every value is stripped exactly as the
# row reader strips it (a test checks this list against Python's)
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
# A coordinate pyarrow may convert (its conversion and Python's float() agree on these);
# anything else a row reader's float() decides
PLAIN_NUMBER = r"^-?[0-9]{1,3}(\.[0-9]{1,15})?$"

# The kind's own fields, in the order the row reader gives them
STREET_FIELDS = (
    "persistent_id",
    "category",
    "crime_type",
    "last_outcome",
    "last_outcome_category",
    "context",
)

# A pyarrow string column, whole or in pieces (pyarrow has no type hints: Any)
Strings: TypeAlias = Any


class NotColumnar(Exception):
    """The file is one for the row reader."""


def _strip(column: Strings) -> Strings:
    return pc.utf8_trim(column, characters=PY_WHITESPACE)


def _by_value(column: Strings, function: Callable[[str], Any]) -> tuple[list[Any], np.ndarray]:
    """``function`` of each distinct value, and each row's index into those results: for
    columns with few distinct values (a month, a force, a crime type)."""
    distinct = pc.unique(column)
    results = [function(value) for value in distinct.to_pylist()]
    codes = pc.index_in(column, value_set=distinct)
    return results, np.asarray(codes.to_numpy(zero_copy_only=False), dtype=np.int64)


def _python_round6(values: np.ndarray) -> np.ndarray:
    """``round(v, 6)`` as Python does it (correctly rounded decimal). numpy's ``round`` is
    ``rint(v * 1e6) / 1e6``: the same except within a hair of a half, done here in Python."""
    rounded = np.round(values, 6)
    scaled = values * 1e6
    close = np.abs(np.abs(scaled - np.rint(scaled)) - 0.5) < 1e-3
    for i in np.flatnonzero(close & np.isfinite(values)):
        rounded[i] = round(float(values[i]), 6)
    return rounded


def _record_lines(text: str, rows: int) -> list[int] | None:
    """The line each data row ends on, as the row reader counts lines; None if the rows do
    not match pyarrow's (then the file is the row reader's)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    lines: list[int] = []
    try:
        header = next(reader, None)
        while header is not None and not any(h.strip() for h in header):
            header = next(reader, None)
        for record in reader:
            if record:  # pyarrow skips empty lines, and only those
                lines.append(reader.line_num)
    except csv.Error:
        return None
    return lines if len(lines) == rows else None


@contextlib.contextmanager
def _allocator() -> Iterator[None]:
    """pyarrow's default allocator here (mimalloc) hands memory back to the system and
    faults it in again so often that reading a national month takes half as long again as
    with jemalloc (or the C library's malloc): use one of those while a file is read."""
    previous = pa.default_memory_pool()
    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:  # a pyarrow built without it
        pool = pa.system_memory_pool()
    pa.set_memory_pool(pool)
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


def read_street(data: bytes, text: str, header: Sequence[str], reader: _FileReader) -> Columns:
    """Parse and check a street-level file with Longitude/Latitude columns.

    Problems are reported through ``reader`` exactly as its row-by-row reading would report
    them. Raises :class:`NotColumnar` when the file should be read row by row instead.
    """
    with _allocator():
        return _read_street(data, text, header, reader)


def _read_street(data: bytes, text: str, header: Sequence[str], reader: _FileReader) -> Columns:
    at = {name: i for i, name in enumerate(header)}
    if "Longitude" not in at:
        raise NotColumnar("eastings and northings")
    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in _raw_names(data, header)},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError) as error:
        raise NotColumnar(str(error)) from None
    if [name.strip() for name in table.column_names] != list(header):
        raise NotColumnar("pyarrow reads the header differently")
    # one piece per column: the column functions below run several times faster on it
    table = table.combine_chunks()
    rows = table.num_rows
    raw = table.columns

    def column(name: str) -> Strings:
        index = at.get(name)
        if index is None:
            return pa.array([""] * rows, pa.string())
        return _strip(raw[index])

    suspect = np.zeros(rows, dtype=bool)

    # Month: a YYYY-MM, the file name's, not in the future
    this_month = reader.this_month
    file_month = reader.file_month

    def month_of(value: str) -> dt.date | None:
        month = _month(value)
        if month is None or (file_month is not None and month != file_month):
            return None
        return None if month > this_month else month

    months, month_codes = _by_value(raw[at["Month"]], month_of)
    suspect |= np.array([m is None for m in months], dtype=bool)[month_codes]

    # Coordinates: both or neither, numbers, in the United Kingdom
    lat_text, lng_text = column("Latitude"), column("Longitude")
    given = _numpy_bool(pc.or_(pc.not_equal(lat_text, ""), pc.not_equal(lng_text, "")))
    plain = _numpy_bool(
        pc.and_(
            pc.match_substring_regex(lat_text, PLAIN_NUMBER),
            pc.match_substring_regex(lng_text, PLAIN_NUMBER),
        )
    )
    suspect |= given & ~plain
    located = given & plain
    mask = pa.array(located)
    lat = _floats(pc.if_else(mask, lat_text, None))
    lng = _floats(pc.if_else(mask, lng_text, None))
    west, south, east, north = UK_BOUNDS
    with np.errstate(invalid="ignore"):
        inside = (lat >= south) & (lat <= north) & (lng >= west) & (lng <= east)
    suspect |= located & ~inside
    lat, lng = _python_round6(lat), _python_round6(lng)

    location = column("Location")
    location = _no_location_blank(location)
    suspect |= _numpy_int(pc.utf8_length(location)) > MAX_LOCATION

    force = column("Falls within")
    suspect |= _numpy_bool(pc.equal(force, ""))

    crime_id = column("Crime ID")
    suspect |= _numpy_int(pc.utf8_length(crime_id)) > MAX_CRIME_ID
    crime_ids: list[str] = crime_id.to_pylist()  # hashing them here beats pyarrow's
    given_ids = [c for c in crime_ids if c]
    if len(set(given_ids)) != len(given_ids):
        # every occurrence: the row reader, in file order, tells the first from the others
        times = Counter(given_ids)
        suspect |= np.array([bool(c) and times[c] > 1 for c in crime_ids], dtype=bool)

    crime_type = column("Crime type")
    slugs, slug_codes = _by_value(crime_type, categories.category_slug)
    suspect |= np.array([s is None for s in slugs], dtype=bool)[slug_codes]

    outcome_text = column("Last outcome category")
    suspect |= _numpy_int(pc.utf8_length(outcome_text)) > MAX_OUTCOME_TEXT
    outcomes, outcome_codes = _by_value(outcome_text, lambda t: categories.outcome_code(t) or "")

    # Suspects to the row reader, in file order, as it would have met them
    blank = np.zeros(rows, dtype=bool)
    rescued: dict[int, _Row] = {}
    suspects = np.flatnonzero(suspect)
    if len(suspects):
        lines = _record_lines(text, rows)
        if lines is None:
            raise NotColumnar("pyarrow and the csv module count the rows differently")
        records = table.take(pa.array(suspects)).to_pylist()
        names = table.column_names
        ids: dict[str, int] = {}
        for index, values in zip(suspects.tolist(), records, strict=True):
            record = [values[name] for name in names]
            if not any(v.strip() for v in record):
                blank[index] = True
                continue
            row = reader.row(STREET, record, at, lines[index], Counter(), ids)
            if row is not None:
                rescued[index] = row
    good = ~suspect
    for index in rescued:
        good[index] = True
    read = rows - int(blank.sum())

    # The good rows' columns, as the row reader makes them
    reported = column("Reported by")
    columns: dict[str, Strings] = {
        "reported_by": _truncated(pc.if_else(pc.equal(reported, ""), force, reported), 100),
        "falls_within": force,
        "location": location,
        "lsoa_code": _truncated(column("LSOA code"), 9),
        "lsoa_name": _truncated(column("LSOA name"), 100),
        "crime_type": crime_type,
        "last_outcome_category": outcome_text,
        "context": column("Context"),
    }
    coded = {"month": (months, month_codes), "category": (slugs, slug_codes)}
    coded["last_outcome"] = (outcomes, outcome_codes)
    lat = np.where(located, lat, np.nan)
    lng = np.where(located, lng, np.nan)
    if not rescued:
        # the usual case: only the rows no check doubted, chosen before they become lists
        chosen = pa.array(good)
        out: dict[str, list[Any]] = {
            name: _listed(pc.filter(c, chosen), name) for name, c in columns.items()
        }
        for name, (results, codes) in coded.items():
            out[name] = _coded(results, codes[good])
        everything = bool(good.all())
        out["persistent_id"] = crime_ids if everything else list(compress(crime_ids, good))
    else:
        out = {name: _listed(c, name) for name, c in columns.items()}
        for name, (results, codes) in coded.items():
            out[name] = _coded(results, codes)
        out["persistent_id"] = list(crime_ids)
        for index, row in rescued.items():
            out["month"][index] = row.month
            out["reported_by"][index] = row.reported_by[:100]
            out["falls_within"][index] = row.falls_within
            out["location"][index] = row.location
            out["lsoa_code"][index] = row.lsoa_code[:9]
            out["lsoa_name"][index] = row.lsoa_name[:100]
            for name in STREET_FIELDS:
                out[name][index] = row.fields[name]
            lat[index], lng[index] = row.lat, row.lng
        out = {name: list(compress(values, good.tolist())) for name, values in out.items()}
    keys = _keys(table, good, out["persistent_id"], out["falls_within"], reader.file_force)
    return Columns(
        read=read,
        key=keys,
        month=out["month"],
        reported_by=out["reported_by"],
        falls_within=out["falls_within"],
        lat=lat[good],
        lng=lng[good],
        location=out["location"],
        lsoa_code=out["lsoa_code"],
        lsoa_name=out["lsoa_name"],
        fields={name: out[name] for name in STREET_FIELDS},
    )


# Columns whose values mostly repeat (the force, the LSOA, the outcome)
REPEATING = frozenset(
    {"reported_by", "falls_within", "lsoa_code", "lsoa_name", "crime_type"}
    | {"last_outcome_category", "context"}
)


def _listed(values: Strings, name: str) -> list[str]:
    """A column as a list. One whose values mostly repeat gets one str object per distinct
    value: quicker to make, and smaller, than one per row."""
    if name not in REPEATING:
        return list(values.to_pylist())
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks() if encoded.num_chunks else pa.array([], pa.string())
    if not isinstance(encoded, pa.DictionaryArray):
        return list(values.to_pylist())
    distinct = np.asarray(encoded.dictionary.to_pylist(), dtype=object)
    return list(distinct[encoded.indices.to_numpy(zero_copy_only=False)].tolist())


def _coded(results: list[Any], codes: np.ndarray) -> list[Any]:
    return list(np.asarray(results, dtype=object)[codes].tolist())


def _truncated(values: Strings, limit: int) -> Strings:
    """The first ``limit`` characters of each value (the column's width), as Python slices."""
    longest = pc.max(pc.utf8_length(values)).as_py()
    if longest is None or longest <= limit:
        return values
    return pa.array([v[:limit] for v in values.to_pylist()], pa.string())


def _raw_names(data: bytes, header: Sequence[str]) -> list[str]:
    """The header's names as written (unstripped), as pyarrow will name the columns."""
    first = data[: data.find(b"\n") if b"\n" in data else len(data)]
    try:
        text = first.decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError:
        raise NotColumnar("header not UTF-8") from None
    names = next(csv.reader([text]), [])
    if [n.strip() for n in names] != list(header):
        raise NotColumnar("the header is not on the first line")
    return names


def _keys(
    table: pa.Table,
    good: np.ndarray,
    crime_ids: list[str],
    forces: list[str],
    file_force: str | None,
) -> list[str]:
    """Each good row's key: its Crime ID, else (anti-social behaviour) the row reader's
    ``sha256(kind, force, the fields as written, n)``, ``n`` counting identical rows so far.
    The texts to hash are put together by pyarrow; only the hashing is a loop."""
    keys = list(crime_ids)
    asb = np.array([i for i, crime_id in enumerate(keys) if not crime_id], dtype=np.int64)
    if not len(asb):
        return keys
    chosen = table.take(pa.array(np.flatnonzero(good)[asb]))
    prefix = pa.array([f"street\x1f{file_force or forces[i]}" for i in asb.tolist()])
    whole = pc.binary_join_element_wise(prefix, *chosen.columns, "\x1f")
    # n: the row's place among the identical rows before it, counting from 1
    encoded = pc.dictionary_encode(whole)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    codes = np.asarray(encoded.indices, dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = codes[order][1:] != codes[order][:-1]
    run_start = np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))
    place = np.empty(len(order), dtype=np.int64)
    place[order] = np.arange(len(order)) - run_start + 1
    texts = pc.binary_join_element_wise(whole, pa.array(place.astype(str)), "\x1e")
    for i, text in zip(asb.tolist(), texts.to_pylist(), strict=True):
        keys[i] = "asb:" + hashlib.sha256(text.encode()).hexdigest()
    return keys


def _no_location_blank(location: Strings) -> Strings:
    """ "No Location" (in any case) reads as no location name, as the row reader has it."""
    candidates = pc.unique(pc.filter(location, pc.equal(pc.utf8_length(location), 11)))
    blanked = [v for v in candidates.to_pylist() if v.casefold() == NO_LOCATION]
    if not blanked:
        return location
    return pc.if_else(pc.is_in(location, value_set=pa.array(blanked, pa.string())), "", location)


def _numpy_bool(values: Strings) -> npt.NDArray[np.bool_]:
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.bool_)


def _numpy_int(values: Strings) -> npt.NDArray[np.int64]:
    return np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.int64)


def _floats(values: Strings) -> npt.NDArray[np.float64]:
    converted = pc.cast(values, pa.float64())
    return np.asarray(converted.to_numpy(zero_copy_only=False), dtype=np.float64)
