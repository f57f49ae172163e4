"""Importing survey responses and the most similar forces' published figures.

Same rules as every import (see :mod:`ourpatch.geography.imports`, whose
:class:`ImportReport` this reuses): a dry run unless ``commit=True``; a file with any bad row
is refused whole, every problem naming its line and field; a committed import is one
transaction; importing the same file again changes nothing.

**Survey CSV** (``ourpatch import survey PATH``), one row per respondent, UTF-8, header row,
column names case-insensitive:

==========================  =====================================================================
``reference``               the survey contractor's respondent reference (unique per force and
                            survey; the key that makes re-imports idempotent)
``survey``                  ``victim`` (victim satisfaction) or ``perception`` (public perception
                            and confidence; ``confidence`` is accepted)
``month``                   fieldwork month, ``YYYY-MM`` (not in the future)
``force``                   the force's id, e.g. ``west-yorkshire``
``neighbourhood``           the neighbourhood's code in that force, or else
``lsoa``                    an LSOA code lying in one of the force's neighbourhoods
``crime_group``             victims only: ``burglary``, ``violent``, ``vehicle``, ``rtc``
                            (or ``violent crime``, ``vehicle crime``, ``road traffic collision``)
question codes              one column per question answered, the answer's position on the
                            question's scale (1 = first label); blank = no answer. Statutory:
                            ``overall_satisfaction``, ``ease_of_contact``, ``actions_taken``,
                            ``kept_informed``, ``treatment`` (victims, 1–7, 1 = completely
                            satisfied); ``good_job`` (1–5, 1 = excellent),
                            ``things_that_matter`` (1–5, 1 = strongly agree),
                            ``asb_perception`` (1–4, 1 = a very big problem)
``ethnicity``               ``white``, ``bme`` or blank / ``not_stated``
``age_band``                ``16-24`` … ``55-64``, ``65+`` or blank
``weight``                  optional survey weight, more than 0 (blank = 1)
``officer``                 optional: collar number of the officer named in the response
``recontact``               ``yes`` / ``no``: consent to be contacted again
``comment``                 optional free text (personal data: stored restricted, reads audited)
``telephone``               optional: number to call back on (personal data)
==========================  =====================================================================

**Peer figures CSV** (``ourpatch import peer-figures PATH``): ``force`` (the peer force's
id), ``name``, ``indicator`` (``spi1e``, ``spi1e-burglary``, ``spi2a``, ``matters``,
``spi10b``, ...), ``period_end`` (``YYYY-MM``, the last of the 12 months), ``value``
(proportion 0–1, or a percentage with ``%``), ``respondents``, and optionally ``peer_of``:
the id of a force in this database whose most similar forces this one is (added to that
force's :class:`PeerGroup`).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ourpatch.citizenfocus.indicators import BY_CODE
from ourpatch.citizenfocus.models import (
    STATUTORY_QUESTIONS,
    AgeBand,
    CrimeGroup,
    EthnicityGroup,
    PeerFigure,
    PeerGroup,
    Question,
    ResponseComment,
    SurveyKind,
    SurveyResponse,
)
from ourpatch.citizenfocus.recovery import create_recovery_tasks
from ourpatch.geography.imports import (
    MAX_FILE_BYTES,
    ImportReport,
    _Bad,
    _utf8_lines,
    file_refused,
)
from ourpatch.geography.models import Force, Neighbourhood
from ourpatch.teams.models import TeamMember

SURVEYS = {
    "victim": SurveyKind.VICTIM,
    "victim satisfaction": SurveyKind.VICTIM,
    "perception": SurveyKind.PERCEPTION,
    "public perception": SurveyKind.PERCEPTION,
    "confidence": SurveyKind.PERCEPTION,
}
CRIME_GROUPS = {
    "burglary": CrimeGroup.BURGLARY,
    "violent": CrimeGroup.VIOLENT,
    "violent crime": CrimeGroup.VIOLENT,
    "violence": CrimeGroup.VIOLENT,
    "vehicle": CrimeGroup.VEHICLE,
    "vehicle crime": CrimeGroup.VEHICLE,
    "rtc": CrimeGroup.RTC,
    "road traffic collision": CrimeGroup.RTC,
}
ETHNICITY = {
    "": EthnicityGroup.NOT_STATED,
    "not_stated": EthnicityGroup.NOT_STATED,
    "not stated": EthnicityGroup.NOT_STATED,
    "white": EthnicityGroup.WHITE,
    "bme": EthnicityGroup.BME,
    "black and minority ethnic": EthnicityGroup.BME,
}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
REQUIRED = ("reference", "survey", "month", "force")
OPTIONAL = (
    "neighbourhood",
    "lsoa",
    "crime_group",
    "ethnicity",
    "age_band",
    "weight",
    "officer",
    "recontact",
    "comment",
    "telephone",
)
COMPARED = (
    "month",
    "neighbourhood_id",
    "lsoa_code",
    "crime_group",
    *STATUTORY_QUESTIONS,
    "extra_answers",
    "ethnicity",
    "age_band",
    "weight",
    "officer_id",
    "consent_to_recontact",
)


class _Rollback(Exception):
    pass


def _month(text: str) -> dt.date:
    try:
        year, month = text.strip().split("-")[:2]
        return dt.date(int(year), int(month), 1)
    except ValueError:
        raise _Bad(f"{text!r} is not a month (YYYY-MM)") from None


@dataclass
class _Row:
    line: int
    values: dict[str, Any]
    comment: str
    telephone: str


def _read_csv(path: Path, name: str, report: ImportReport, max_bytes: int) -> Iterator[Any]:
    """(line, {column: value}) for each non-blank row; problems go on the report."""
    if file_refused(path, name, max_bytes, report):
        return
    with path.open("rb") as stream:
        reader = csv.reader(_utf8_lines(stream, name, report))
        try:
            header = next(reader, None)
            if header is None:
                report.problem(f"{name}: the file is empty (no header row)")
                return
            columns = [h.strip().lower() for h in header]
            yield columns
            for record in reader:
                if not record or all(not c.strip() for c in record):
                    continue
                report.read += 1
                yield reader.line_num, dict(zip(columns, (c.strip() for c in record), strict=False))
        except csv.Error as error:
            report.problem(f"{name} line {reader.line_num}: not CSV ({error})")


def import_survey(
    path: Path,
    *,
    commit: bool,
    today: dt.date | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    label: str | None = None,
    only_force: str | None = None,
) -> ImportReport:
    """Import survey responses, one row per respondent (columns in the module docstring).

    ``only_force``: refuse rows for any other force (a force administrator's upload).
    """
    today = today or timezone.localdate()
    name = label or path.name
    report = ImportReport("survey responses", label or str(path), commit)
    rows = _read_csv(path, name, report, max_bytes)
    columns: list[str] | None = next(rows, None)
    if columns is None or not report.ok:
        report.refuse()
        return report
    questions = {q.code: q for q in Question.objects.all()}
    missing = [c for c in REQUIRED if c not in columns]
    if "neighbourhood" not in columns and "lsoa" not in columns:
        missing.append("neighbourhood (or lsoa)")
    if missing:
        report.problem(f"{name} line 1: missing column(s): {', '.join(missing)}")
        report.refuse()
        return report
    ignored = [c for c in columns if c not in (*REQUIRED, *OPTIONAL) and c not in questions]
    if ignored:
        report.note(
            f"ignored column(s) that are neither fields nor questions: {', '.join(ignored)}"
        )
    answered = [c for c in columns if c in questions]

    forces = {f.pk: f for f in Force.objects.all()}
    hoods: dict[tuple[str, str], int] = {
        (f, c): pk for pk, f, c in Neighbourhood.objects.values_list("pk", "force_id", "code")
    }
    lsoa_hoods: dict[tuple[str, str], set[int]] = {}
    for lsoa_id, hood_id, force_id in Neighbourhood.lsoas.through.objects.values_list(
        "lsoa_id", "neighbourhood_id", "neighbourhood__force_id"
    ):
        lsoa_hoods.setdefault((force_id, lsoa_id), set()).add(hood_id)
    officers: dict[tuple[str, str], int] = {
        (f, c.strip().upper()): pk
        for pk, f, c in TeamMember.objects.exclude(collar_number="").values_list(
            "pk", "force_id", "collar_number"
        )
    }
    this_month = today.replace(day=1)
    parsed: list[_Row] = []
    seen: dict[tuple[str, str, str], int] = {}

    for line, raw in rows:
        problems: list[str] = []

        def bad(field: str, text: str, line: int = line, problems: list[str] = problems) -> None:
            problems.append(f"{name} line {line}, field {field!r}: {text}")

        values: dict[str, Any] = {}
        reference = raw.get("reference", "")
        if not reference:
            bad("reference", "missing")
        elif len(reference) > 40:
            bad("reference", "longer than 40 characters")
        survey = SURVEYS.get(raw.get("survey", "").lower())
        if survey is None:
            bad("survey", f"{raw.get('survey', '')!r} is not a survey: victim or perception")
        force = forces.get(raw.get("force", ""))
        if force is None:
            bad("force", f"unknown force {raw.get('force', '')!r}")
        elif only_force is not None and force.pk != only_force:
            bad("force", f"{force.pk} is not your force ({only_force})")
            force = None
        try:
            month = _month(raw.get("month", ""))
            if month > this_month:
                bad("month", f"fieldwork month {month:%Y-%m} is in the future")
            values["month"] = month
        except _Bad as error:
            bad("month", str(error))
        code, lsoa = raw.get("neighbourhood", ""), raw.get("lsoa", "").upper()
        values["lsoa_code"] = lsoa
        values["neighbourhood_id"] = None
        if force is not None:
            if code:
                hood = hoods.get((force.pk, code))
                if hood is None:
                    bad("neighbourhood", f"unknown neighbourhood {code!r} in {force.pk}")
                values["neighbourhood_id"] = hood
            elif lsoa:
                found = lsoa_hoods.get((force.pk, lsoa), set())
                if len(found) == 1:
                    values["neighbourhood_id"] = next(iter(found))
                elif not found:
                    bad("lsoa", f"LSOA {lsoa!r} is in none of {force.pk}'s neighbourhoods")
                else:
                    bad("lsoa", f"LSOA {lsoa!r} is split between neighbourhoods: give one")
            else:
                bad("neighbourhood", "give the neighbourhood or the LSOA")
        group_text = raw.get("crime_group", "").lower()
        values["crime_group"] = ""
        if survey == SurveyKind.VICTIM:
            group = CRIME_GROUPS.get(group_text)
            if group is None:
                bad(
                    "crime_group",
                    f"{group_text!r} is not a crime group: burglary, violent, vehicle or rtc",
                )
            values["crime_group"] = group or ""
        elif group_text:
            bad("crime_group", "only victim survey responses have a crime group")
        extra: dict[str, int] = {}
        for q in answered:
            text = raw.get(q, "")
            if not text:
                continue
            question = questions[q]
            if survey is not None and question.survey != survey:
                bad(q, f"a {question.survey} survey question, not asked in the {survey} survey")
                continue
            try:
                answer = int(text)
            except ValueError:
                answer = -1
            if not 1 <= answer <= question.scale_size:
                bad(q, f"{text!r} is outside the scale 1–{question.scale_size}")
                continue
            if q in STATUTORY_QUESTIONS:
                values[q] = answer
            else:
                extra[q] = answer
        for q in STATUTORY_QUESTIONS:
            values.setdefault(q, None)
        values["extra_answers"] = extra
        ethnicity = ETHNICITY.get(raw.get("ethnicity", "").lower())
        if ethnicity is None:
            bad("ethnicity", f"{raw.get('ethnicity')!r}: white, bme or not_stated")
        values["ethnicity"] = ethnicity or EthnicityGroup.NOT_STATED
        age = raw.get("age_band", "") or AgeBand.NOT_STATED
        if age not in AgeBand.values:
            bad("age_band", f"{age!r}: one of {', '.join(AgeBand.values)}")
        values["age_band"] = age
        weight_text = raw.get("weight", "")
        try:
            weight = float(weight_text) if weight_text else 1.0
        except ValueError:
            weight = math.nan
        if not math.isfinite(weight):
            bad("weight", f"{weight_text!r} is not a number")
        elif weight <= 0:
            bad("weight", f"{weight_text} is not more than zero")
        values["weight"] = weight
        collar = raw.get("officer", "").upper()
        values["officer_id"] = None
        if collar and force is not None:
            officer = officers.get((force.pk, collar))
            if officer is None:
                bad("officer", f"no officer with collar number {collar!r} in {force.pk}")
            values["officer_id"] = officer
        consent = raw.get("recontact", "").lower()
        if consent not in YES | NO:
            bad("recontact", f"{consent!r}: yes or no")
        values["consent_to_recontact"] = consent in YES
        if force is not None and survey is not None and reference:
            key = (force.pk, survey, reference)
            if key in seen:
                bad("reference", f"{reference!r} already on line {seen[key]}")
            seen[key] = line
            values["force_id"], values["survey"], values["reference"] = key
        if problems:
            for p in problems:
                report.problem(p)
            report.rejected += 1
            continue
        parsed.append(_Row(line, values, raw.get("comment", ""), raw.get("telephone", "")))

    if not report.ok:
        report.refuse()
        return report
    try:
        with transaction.atomic():
            _apply_survey(parsed, report)
            if not commit:
                raise _Rollback
    except _Rollback:
        pass
    except IntegrityError as error:
        report.problem(f"the database refused the import ({error}); nothing was imported")
        report.refuse()
        return report
    report.committed = commit
    return report


def _apply_survey(rows: list[_Row], report: ImportReport) -> None:
    existing: dict[tuple[str, str, str], dict[str, Any]] = {}
    refs = {r.values["reference"] for r in rows}
    for found in SurveyResponse.objects.filter(reference__in=refs).values(
        "pk", "force_id", "survey", "reference", *COMPARED
    ):
        existing[(found["force_id"], found["survey"], found["reference"])] = found
    new: list[SurveyResponse] = []
    touched: list[SurveyResponse] = []
    comments: list[tuple[SurveyResponse, _Row]] = []
    for row in rows:
        v = row.values
        old = existing.get((v["force_id"], v["survey"], v["reference"]))
        if old is None:
            response = SurveyResponse(**v)
            new.append(response)
        else:
            same = all(old[f] == v[f] for f in COMPARED)
            response = SurveyResponse(pk=old["pk"], **v)
            if same:
                report.unchanged += 1
            else:
                report.changed += 1
                response.save()
            touched.append(response)
        if row.comment or row.telephone:
            comments.append((response, row))
    SurveyResponse.objects.bulk_create(new, batch_size=1000)
    report.created += len(new)
    written = 0
    for response, row in comments:
        current = ResponseComment.objects.filter(response_id=response.pk)
        if current.filter(text=row.comment, recontact_telephone=row.telephone).exists():
            continue
        if not current.update(text=row.comment, recontact_telephone=row.telephone):
            ResponseComment.objects.create(
                response=response, text=row.comment, recontact_telephone=row.telephone
            )
        written += 1
    if written:
        report.note(f"{written} free-text comment(s) stored as restricted personal data")
    tasks = create_recovery_tasks([*new, *touched])
    if tasks:
        report.note(f"{tasks} recovery task(s) for supervisors to call back dissatisfied victims")


def import_peer_figures(
    path: Path,
    *,
    commit: bool,
    max_bytes: int = MAX_FILE_BYTES,
    label: str | None = None,
) -> ImportReport:
    """Import the most similar forces' published figures (columns in the module docstring)."""
    name = label or path.name
    report = ImportReport("peer figures", label or str(path), commit)
    rows = _read_csv(path, name, report, max_bytes)
    columns: list[str] | None = next(rows, None)
    if columns is None or not report.ok:
        report.refuse()
        return report
    missing = [
        c for c in ("force", "indicator", "period_end", "value", "respondents") if c not in columns
    ]
    if missing:
        report.problem(f"{name} line 1: missing column(s): {', '.join(missing)}")
        report.refuse()
        return report
    forces = set(Force.objects.values_list("pk", flat=True))
    parsed: list[tuple[dict[str, Any], str]] = []
    seen: dict[tuple[str, str, dt.date], int] = {}
    for line, raw in rows:
        problems: list[str] = []

        def bad(field: str, text: str, line: int = line, problems: list[str] = problems) -> None:
            problems.append(f"{name} line {line}, field {field!r}: {text}")

        peer = raw.get("force", "")
        if not peer:
            bad("force", "missing")
        indicator = raw.get("indicator", "").lower()
        if indicator not in BY_CODE or BY_CODE[indicator].gap:
            bad("indicator", f"{indicator!r}: one of " + ", ".join(
                i.code for i in BY_CODE.values() if not i.gap
            ))  # fmt: skip
        period_end = None
        try:
            period_end = _month(raw.get("period_end", ""))
        except _Bad as error:
            bad("period_end", str(error))
        text = raw.get("value", "")
        try:
            value = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
        except ValueError:
            value = math.nan
        if not 0 <= value <= 1:
            bad("value", f"{text!r}: a proportion from 0 to 1, or a percentage like 81.5%")
        try:
            respondents = int(raw.get("respondents", ""))
        except ValueError:
            respondents = 0
        if respondents < 1:
            bad("respondents", f"{raw.get('respondents', '')!r}: a whole number, at least 1")
        home = raw.get("peer_of", "")
        if home and home not in forces:
            bad("peer_of", f"unknown force {home!r}")
        if period_end is not None and peer:
            key = (peer, indicator, period_end)
            if key in seen:
                bad(
                    "indicator",
                    f"{indicator} for {peer} {period_end:%Y-%m} already on line {seen[key]}",
                )
            seen[key] = line
        if problems:
            for p in problems:
                report.problem(p)
            report.rejected += 1
            continue
        parsed.append(
            (
                {
                    "peer_force": peer,
                    "peer_force_name": raw.get("name", ""),
                    "indicator": indicator,
                    "period_end": period_end,
                    "value": value,
                    "respondents": respondents,
                },
                home,
            )
        )
    if not report.ok:
        report.refuse()
        return report
    try:
        with transaction.atomic():
            groups: dict[str, list[str]] = {}
            for values, home in parsed:
                old = PeerFigure.objects.filter(
                    peer_force=values["peer_force"],
                    indicator=values["indicator"],
                    period_end=values["period_end"],
                ).first()
                if old is None:
                    PeerFigure.objects.create(**values)
                    report.created += 1
                elif all(getattr(old, k) == v for k, v in values.items()):
                    report.unchanged += 1
                else:
                    for k, v in values.items():
                        setattr(old, k, v)
                    old.save()
                    report.changed += 1
                if home:
                    groups.setdefault(home, []).append(values["peer_force"])
            for home, members in groups.items():
                group, _ = PeerGroup.objects.get_or_create(force_id=home)
                merged = sorted(set(group.members) | set(members))
                if merged != group.members:
                    group.members = merged
                    group.save()
                    report.note(f"most similar forces of {home}: {', '.join(merged)}")
            if not commit:
                raise _Rollback
    except _Rollback:
        pass
    report.committed = commit
    return report
