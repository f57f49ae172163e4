"""``ourpatch bench pledge``'s own process: it makes a force-year and measures all of it."""

from __future__ import annotations

import pytest

from ourpatch.benchmarks import pledge as bench


@pytest.mark.django_db
def test_the_benchmark_process_makes_and_measures_a_force_year(capsys):
    argv = ["--calls", "2400", "--messages", "240", "--neighbourhoods", "6", "--bcus", "2"]
    assert bench.run(["--child", *argv, "--repeats", "1"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    words = dict(w.split("=") for w in line.split()[1:])
    assert line.startswith("MEASURED ")
    assert int(words["calls"]) == 2400 and int(words["messages"]) == 240
    # units × months × items: the force, 2 command units and 6 neighbourhoods; 12; 9
    assert int(words["figures"]) == 9 * 12 * 9
    assert float(words["best"]) > 0
