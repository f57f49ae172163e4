"""The survey benchmark runs on a small force and ends with its RESULT line (nothing timed)."""

from __future__ import annotations

import pytest

from ourpatch.benchmarks import survey


def test_survey_bench_prints_table_and_result(capsys: pytest.CaptureFixture[str]) -> None:
    code = survey.run(
        ["--responses", "4000", "--neighbourhoods", "12", "--bcus", "3", "--repeats", "1"]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "ourpatch bench survey" in out
    last = out.strip().splitlines()[-1]
    assert last.startswith("RESULT responses=4000 seconds=")
    assert "neighbourhoods=12" in last
