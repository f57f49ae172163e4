"""Trends by category, team and month, checked against counts made by hand.

Months are London months: 23:30 UTC on 31 March 2026 is 00:30 BST on 1 April, so April's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from ourpatch.audit.models import AuditEntry
from ourpatch.dissatisfaction import trends
from ourpatch.dissatisfaction.factories import DissatisfactionFactory
from ourpatch.dissatisfaction.models import Category


def utc(y: int, m: int, d: int, h: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, minute, tzinfo=dt.UTC)


@pytest.fixture
def records(world):
    a, b, c, d = world.a, world.b, world.c, world.d
    made = [
        # Chapeltown (A)
        (a, Category.NOT_KEPT_INFORMED, utc(2025, 11, 15)),
        (a, Category.NOT_KEPT_INFORMED, utc(2026, 2, 10)),
        (a, Category.NOT_KEPT_INFORMED, utc(2026, 3, 31, 23, 30)),  # 1 April, 00:30 BST
        (a, Category.NOT_KEPT_INFORMED, utc(2026, 4, 20)),
        (a, Category.ATTENDANCE, utc(2026, 1, 31, 23, 30)),  # still January: GMT
        (a, Category.ATTENDANCE, utc(2026, 3, 5)),
        (a, Category.ACCESS, utc(2025, 4, 30, 23, 30)),  # 1 May 2025, 00:30 BST: shown
        (a, Category.ACCESS, utc(2025, 4, 30, 22, 30)),  # 30 April 2025, 23:30 BST: not shown
        # Harehills (B)
        (b, Category.INCIVILITY, utc(2026, 4, 2)),
        (b, Category.INCIVILITY, utc(2026, 4, 3)),
        (b, Category.INCIVILITY, utc(2025, 12, 1, 0, 30)),
        (b, Category.NO_RESPONSE, utc(2025, 11, 30, 23, 30)),  # November: GMT
        # Manningham (C), in another command unit; Harrogate (D), another force
        (c, Category.INCIVILITY, utc(2026, 4, 5)),
        (d, Category.INCIVILITY, utc(2026, 4, 5)),
        # no neighbourhood recorded (force-wide)
        (None, Category.OTHER, utc(2026, 4, 6)),
    ]
    for hood, category, when in made:
        force = hood.force if hood is not None else world.force
        DissatisfactionFactory(force=force, neighbourhood=hood, category=category, received_at=when)
    return made


def _row(table: trends.Table, label: str) -> list[int]:
    return dict(table.rows)[label]


def test_counts_by_category_and_month_for_an_inspectors_neighbourhoods(world, records):
    names = {world.a.pk: "Chapeltown", world.b.pk: "Harehills"}
    result = trends.compute(
        trends.records_in(world.force, [world.a, world.b], whole_force=False),
        dt.date(2026, 4, 1),
        12,
        names,
    )
    assert result.months[0] == dt.date(2025, 5, 1) and result.months[-1] == dt.date(2026, 4, 1)
    months = [f"{m:%Y-%m}" for m in result.months]

    def by_month(counts: list[int]) -> dict[str, int]:
        return {m: n for m, n in zip(months, counts, strict=True) if n}

    table = result.by_category
    assert by_month(_row(table, "Not kept informed")) == {
        "2025-11": 1,
        "2026-02": 1,
        "2026-04": 2,
    }
    assert by_month(_row(table, "Late or no attendance")) == {"2026-01": 1, "2026-03": 1}
    assert by_month(_row(table, "Incivility or attitude")) == {"2025-12": 1, "2026-04": 2}
    assert by_month(_row(table, "No reply or slow reply")) == {"2025-11": 1}
    assert by_month(_row(table, "Could not reach the team")) == {"2025-05": 1}
    assert sum(_row(table, "Other")) == 0  # the force-wide record is not the inspector's
    assert result.total == 11
    team = result.by_team
    assert [label for label, _ in team.rows] == ["Chapeltown", "Harehills"]
    assert sum(_row(team, "Chapeltown")) == 7 and sum(_row(team, "Harehills")) == 4
    assert by_month(_row(team, "Harehills")) == {"2025-11": 1, "2025-12": 1, "2026-04": 2}
    # February to April against November to January
    assert [(r.category, r.before, r.recent) for r in result.rising] == [
        (Category.NOT_KEPT_INFORMED, 1, 3),
        (Category.INCIVILITY, 1, 2),
    ]
    assert result.rising[0].change == 2 and result.rising[0].percent == 200.0
    assert AuditEntry.objects.count() == 0  # counted without reading anyone


def test_the_whole_force_includes_records_with_no_neighbourhood(world, records):
    hoods = [world.a, world.b, world.c]
    result = trends.compute(
        trends.records_in(world.force, hoods, whole_force=True), dt.date(2026, 4, 30), 12
    )
    assert result.total == 13  # 11 + Manningham + the force-wide one; never Harrogate
    assert [(r.category, r.change) for r in result.rising] == [
        (Category.INCIVILITY, 2),
        (Category.NOT_KEPT_INFORMED, 2),
        (Category.OTHER, 1),
    ]
    assert trends.NO_NEIGHBOURHOOD in dict(result.by_team.rows)


def test_the_trends_page_shows_table_chart_and_rising(world, records, signed_in):
    page = signed_in("inspector").get("/staff/dissatisfaction/trends/?month=2026-04")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'aria-hidden="true"' in html
    assert "<caption>By category and month</caption>" in html
    assert "<caption>Categories rising most" in html
    assert "+2 (200%)" in html
    assert "Manningham" not in html and "Harrogate" not in html
    assert (
        'href="/staff/dissatisfaction/trends/category.csv?force=west-yorkshire&amp;month=2026-04"'
        in html
    )


def test_the_csv_matches_the_hand_counts(world, records, signed_in):
    response = signed_in("commander").get(
        "/staff/dissatisfaction/trends/category.csv?month=2026-04"
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Category" and rows[0][1] == "2025-05" and rows[0][-2] == "2026-04"
    assert rows[0][-1] == "Total"
    informed = next(r for r in rows if r[0] == "Not kept informed")
    assert informed[-1] == "4" and informed[-2] == "2"
    assert rows[-1][0] == "Total" and rows[-1][-1] == "11"
    team = signed_in("commander").get("/staff/dissatisfaction/trends/team.csv?month=2026-04")
    team_rows = list(csv.reader(io.StringIO(team.content.decode())))
    assert [r[0] for r in team_rows[1:]] == ["Chapeltown", "Harehills", "Total"]
    assert signed_in("commander").get("/staff/dissatisfaction/trends/other.csv").status_code == 404


def test_an_analyst_sees_the_whole_force_and_the_inspectorate_chooses(world, records, signed_in):
    html = signed_in("analyst").get("/staff/dissatisfaction/trends/?month=2026-04")
    assert "Manningham" in html.content.decode() and "(13 in all)" in html.content.decode()
    html = signed_in("inspectorate").get(
        "/staff/dissatisfaction/trends/?force=north-yorkshire&month=2026-04"
    )
    assert html.status_code == 200 and "Harrogate" in html.content.decode()
    # a force's own staff cannot ask for another force
    assert (
        signed_in("analyst").get("/staff/dissatisfaction/trends/?force=north-yorkshire").status_code
        == 403
    )


@pytest.mark.parametrize("role", ["constable", "pcso", "partner"])
def test_trends_are_refused_outside_the_pledge_roles(world, signed_in, role):
    assert signed_in(role).get("/staff/dissatisfaction/trends/").status_code == 403
    assert signed_in(role).get("/staff/dissatisfaction/trends/team.csv").status_code == 403
