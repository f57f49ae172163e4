"""``import survey`` and ``import peer-figures``: dry runs, bad input, idempotence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ourpatch.accounts.factories import UserFactory
from ourpatch.audit.models import AuditEntry
from ourpatch.audit.personal import UnauditedRead
from ourpatch.citizenfocus.imports import import_peer_figures, import_survey
from ourpatch.citizenfocus.models import (
    PeerFigure,
    PeerGroup,
    RecoveryTask,
    ResponseComment,
    SurveyResponse,
)
from ourpatch.cli import main
from ourpatch.geography.factories import (
    ForceFactory,
    LSOAFactory,
    NeighbourhoodFactory,
)
from ourpatch.teams.factories import TeamMemberFactory

TODAY = dt.date(2026, 11, 26)
HEADER = (
    "reference,survey,month,force,neighbourhood,lsoa,crime_group,overall_satisfaction,"
    "treatment,good_job,ethnicity,age_band,weight,officer,recontact,comment"
)


@pytest.fixture
def world(db: None) -> dict[str, object]:
    force = ForceFactory(id="west-yorkshire", name="West Yorkshire Police")
    hood = NeighbourhoodFactory(force=force, code="E02002330", name="Chapeltown")
    lsoa = LSOAFactory(code="E01011264")
    hood.lsoas.add(lsoa)
    sergeant = TeamMemberFactory(force=force, name="Sgt Sam Hill", collar_number="1001")
    officer = TeamMemberFactory(
        force=force, name="PC Jo Bloggs", collar_number="2345", supervisor=sergeant
    )
    return {"force": force, "hood": hood, "officer": officer, "sergeant": sergeant}


def _csv(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "survey.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


GOOD = [
    "V1,victim,2026-10,west-yorkshire,E02002330,,burglary,2,1,,white,35-44,,,no,",
    "V2,victim,2026-10,west-yorkshire,,E01011264,violent crime,6,5,,bme,16-24,,2345,yes,"
    '"Nobody called me back, ever."',
    "P1,perception,2026-09,west-yorkshire,E02002330,,,,,2,,,1.7,,,",
]


def test_dry_run_changes_nothing_then_commit_then_idempotent(world, tmp_path: Path) -> None:
    path = _csv(tmp_path, *GOOD)
    report = import_survey(path, commit=False, today=TODAY)
    assert report.ok, report.problems
    assert (report.read, report.created) == (3, 3)
    assert "Add --commit" in report.as_text()
    assert SurveyResponse.objects.count() == 0

    report = import_survey(path, commit=True, today=TODAY)
    assert report.ok and report.committed and report.created == 3
    victim = SurveyResponse.objects.get(reference="V2")
    assert victim.neighbourhood == world["hood"]  # placed by its LSOA
    assert victim.crime_group == "violent"
    assert victim.officer == world["officer"]
    assert victim.consent_to_recontact
    assert SurveyResponse.objects.get(reference="P1").weight == pytest.approx(1.7)
    # dissatisfied, consent, named officer: a call back for the officer's supervisor
    assert RecoveryTask.objects.count() == 1
    assert RecoveryTask.objects.filter(assigned_to=world["sergeant"]).exists()
    assert ResponseComment.objects.count() == 1

    again = import_survey(path, commit=True, today=TODAY)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 3)
    assert RecoveryTask.objects.count() == 1
    assert ResponseComment.objects.count() == 1


def test_comments_are_restricted_and_audited(world, tmp_path: Path) -> None:
    import_survey(_csv(tmp_path, *GOOD), commit=True, today=TODAY)
    with pytest.raises(UnauditedRead):
        list(ResponseComment.objects.all())
    reader = UserFactory()
    comments = list(ResponseComment.objects.read_by(reader, "service recovery"))
    assert comments[0].text == "Nobody called me back, ever."
    entry = AuditEntry.objects.get(record_type="citizenfocus.responsecomment")
    assert entry.force_id == "west-yorkshire"
    assert entry.purpose == "service recovery"


def test_a_changed_row_is_updated(world, tmp_path: Path) -> None:
    import_survey(_csv(tmp_path, *GOOD), commit=True, today=TODAY)
    changed = GOOD[0].replace("burglary,2,", "burglary,3,")
    report = import_survey(_csv(tmp_path, changed, *GOOD[1:]), commit=True, today=TODAY)
    assert (report.created, report.changed, report.unchanged) == (0, 1, 2)
    assert SurveyResponse.objects.get(reference="V1").overall_satisfaction == 3


BAD = [
    # outside its scale (1–7)
    ("V1,victim,2026-10,west-yorkshire,E02002330,,burglary,8,,,,,,,,", 2, "overall_satisfaction",
     "outside the scale 1–7"),
    # unknown neighbourhood
    ("V2,victim,2026-10,west-yorkshire,E02999999,,burglary,2,,,,,,,,", 3, "neighbourhood",
     "unknown neighbourhood"),
    # zero and negative weights
    ("P1,perception,2026-10,west-yorkshire,E02002330,,,,,2,,,0,,,", 4, "weight",
     "not more than zero"),
    ("P2,perception,2026-10,west-yorkshire,E02002330,,,,,2,,,-1.5,,,", 5, "weight",
     "not more than zero"),
    # fieldwork month in the future
    ("V3,victim,2026-12,west-yorkshire,E02002330,,burglary,2,,,,,,,,", 6, "month",
     "in the future"),
    # a perception question in a victim row
    ("V4,victim,2026-10,west-yorkshire,E02002330,,burglary,2,,1,,,,,,", 7, "good_job",
     "perception survey question"),
    ("V5,victim,2026-10,west-yorkshire,E02002330,,arson,2,,,,,,,,", 8, "crime_group",
     "is not a crime group"),
    ("V6,victim,2026-10,west-yorkshire,,E01099999,burglary,2,,,,,,,,", 9, "lsoa",
     "in none of"),
    ("V7,victim,2026-10,west-yorkshire,E02002330,,burglary,2,,,,,,9999,,", 10, "officer",
     "no officer with collar number"),
    ("V1,victim,2026-10,west-yorkshire,E02002330,,burglary,2,,,,,,,,", 11, "reference",
     "already on line 2"),
]  # fmt: skip


def test_bad_rows_are_named_by_line_and_field_and_refuse_the_file(world, tmp_path: Path) -> None:
    path = _csv(tmp_path, *(row for row, *_ in BAD))
    report = import_survey(path, commit=True, today=TODAY)
    assert not report.ok and not report.committed
    assert report.rejected == len(BAD)
    text = "\n".join(report.problems)
    for _, line, field, words in BAD:
        assert any(f"line {line}, field '{field}'" in p and words in p for p in report.problems), (
            line,
            field,
            text,
        )
    assert "REJECTED" in report.as_text()
    assert SurveyResponse.objects.count() == 0


def test_one_bad_row_refuses_the_good_ones_too(world, tmp_path: Path) -> None:
    path = _csv(tmp_path, *GOOD, BAD[2][0])
    report = import_survey(path, commit=True, today=TODAY)
    assert not report.ok
    assert report.created == 0
    assert SurveyResponse.objects.count() == 0


def test_missing_columns_and_missing_file(world, tmp_path: Path) -> None:
    report = import_survey(_csv(tmp_path, header="reference,survey"), commit=False, today=TODAY)
    assert "missing column(s): month, force, neighbourhood (or lsoa)" in report.problems[0]
    report = import_survey(tmp_path / "nope.csv", commit=False, today=TODAY)
    assert "no such file" in report.problems[0]


PEERS = (
    "force,name,indicator,period_end,value,respondents,peer_of\n"
    "greater-manchester,Greater Manchester Police,spi1e,2026-10,0.781,4100,west-yorkshire\n"
    "merseyside,Merseyside Police,spi1e,2026-10,83.2%,2300,west-yorkshire\n"
)


def test_peer_figures_import(world, tmp_path: Path) -> None:
    path = tmp_path / "peers.csv"
    path.write_text(PEERS, encoding="utf-8")
    report = import_peer_figures(path, commit=False)
    assert report.ok and report.created == 2
    assert PeerFigure.objects.count() == 0
    report = import_peer_figures(path, commit=True)
    assert report.committed and report.created == 2
    assert PeerFigure.objects.get(peer_force="merseyside").value == pytest.approx(0.832)
    assert PeerGroup.objects.get(force=world["force"]).members == [
        "greater-manchester",
        "merseyside",
    ]
    again = import_peer_figures(path, commit=True)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 2)


def test_bad_peer_figures(world, tmp_path: Path) -> None:
    path = tmp_path / "peers.csv"
    path.write_text(
        "force,indicator,period_end,value,respondents,peer_of\n"
        "gmp,spi9,2026-10,0.7,100,\n"
        "gmp,spi1e,2026-13,1.7,0,nowhere\n",
        encoding="utf-8",
    )
    report = import_peer_figures(path, commit=True)
    assert not report.ok and PeerFigure.objects.count() == 0
    text = "\n".join(report.problems)
    assert "line 2, field 'indicator'" in text
    for field in ("period_end", "value", "respondents", "peer_of"):
        assert f"line 3, field '{field}'" in text


def test_cli_import_survey(world, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _csv(tmp_path, GOOD[0])
    assert main(["import", "survey", str(path)]) == 0
    assert "would create 1" in capsys.readouterr().out
    assert main(["import", "survey", str(path), "--commit"]) == 0
    assert SurveyResponse.objects.count() == 1
    bad = _csv(tmp_path, BAD[0][0])
    assert main(["import", "survey", str(bad), "--commit"]) == 1
    assert "field 'overall_satisfaction'" in capsys.readouterr().err
    peers = tmp_path / "peers.csv"
    peers.write_text(PEERS, encoding="utf-8")
    assert main(["import", "peer-figures", str(peers), "--commit"]) == 0
    assert PeerFigure.objects.count() == 2


def test_force_administrator_uploads_survey_for_their_force_only(world, tmp_path: Path) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from ourpatch.accounts.factories import StaffProfileFactory
    from ourpatch.accounts.models import StaffRole

    ForceFactory(id="north-yorkshire")
    admin = StaffProfileFactory(role=StaffRole.FORCE_ADMIN, force=world["force"]).user
    client = Client()
    client.force_login(admin)
    ours = "\n".join([HEADER, GOOD[0]]).encode()
    done = client.post(
        "/staff/imports/",
        {"kind": "survey", "file": SimpleUploadedFile("s.csv", ours), "commit": "on"},
    )
    assert done.status_code == 200 and "Imported" in done.content.decode()
    assert SurveyResponse.objects.count() == 1
    theirs = "\n".join([HEADER, GOOD[0].replace("V1,", "V9,").replace("west-", "north-")])
    refused = client.post(
        "/staff/imports/",
        {"kind": "survey", "file": SimpleUploadedFile("s.csv", theirs.encode()), "commit": "on"},
    )
    assert refused.status_code == 400
    assert "is not your force" in refused.content.decode()
    assert SurveyResponse.objects.count() == 1
