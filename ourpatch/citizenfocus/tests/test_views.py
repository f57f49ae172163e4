"""The staff pages: figures with intervals, suppression on the page, CSV, audited comments."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client

from ourpatch.accounts.factories import StaffProfileFactory, UserFactory
from ourpatch.accounts.models import StaffRole
from ourpatch.audit.models import AuditEntry
from ourpatch.citizenfocus.factories import (
    PeerFigureFactory,
    PeerGroupFactory,
    ResponseCommentFactory,
    SurveyResponseFactory,
)
from ourpatch.citizenfocus.models import SurveyKind
from ourpatch.citizenfocus.statistics import TOO_FEW
from ourpatch.geography.factories import ForceFactory, NeighbourhoodFactory

OCT = dt.date(2026, 10, 1)


@pytest.fixture
def world(db: None) -> dict[str, object]:
    force = ForceFactory(id="west-yorkshire", name="West Yorkshire Police")
    hood = NeighbourhoodFactory(force=force, code="A", name="Chapeltown")
    # 41 of 50 white victims satisfied; 20 BME victims (too few for SPI 3b)
    for i in range(50):
        SurveyResponseFactory(
            force=force, neighbourhood=hood, overall_satisfaction=2 if i < 41 else 6
        )
    for _ in range(20):
        SurveyResponseFactory(force=force, neighbourhood=hood, ethnicity="bme")
    SurveyResponseFactory(force=force, neighbourhood=hood, overall_satisfaction=None)
    SurveyResponseFactory(
        force=force,
        neighbourhood=hood,
        survey=SurveyKind.PERCEPTION,
        crime_group="",
        overall_satisfaction=None,
        good_job=1,
        weight=2.5,
    )
    PeerGroupFactory(force=force, members=["greater-manchester"])
    PeerFigureFactory(period_end=OCT, value=0.75, respondents=3000)
    analyst = StaffProfileFactory(
        user=UserFactory(username="analyst"), role=StaffRole.ANALYST, force=force
    ).user
    sergeant = StaffProfileFactory(
        user=UserFactory(username="sergeant"),
        role=StaffRole.SERGEANT,
        force=force,
        neighbourhoods=[hood],
    ).user
    return {"force": force, "hood": hood, "analyst": analyst, "sergeant": sergeant}


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_dashboard_shows_each_indicator_with_interval(world) -> None:
    page = _client(world["analyst"]).get("/staff/citizen-focus/?period=month&month=2026-10")
    assert page.status_code == 200
    text = page.content.decode()
    assert "SPI 1e: victims satisfied with the overall service" in text
    assert "87.1%" in text  # (41 + 20) / 70 satisfied; the 71st gave no answer
    assert "SPI 3b" in text and TOO_FEW in text
    assert "1 no answer to the question" in text


def test_indicator_page_and_csv(world) -> None:
    client = _client(world["analyst"])
    page = client.get("/staff/citizen-focus/spi1e/?period=12m&month=2026-10")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text and "<table>" in text
    assert "Greater Manchester Police" in text
    assert "style=" not in text and "<script>" not in text  # the CSP allows neither
    csv_response = client.get(
        "/staff/citizen-focus/spi1e/neighbourhood.csv?period=month&month=2026-10"
    )
    assert csv_response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(csv_response.content.decode())))
    header, row = rows[0], rows[1]
    assert row[0] == "A"
    assert row[header.index("respondents")] == "70"


def test_spi3b_page_never_shows_a_number_below_51(world) -> None:
    client = _client(world["analyst"])
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    "/staff/citizen-focus/spi3b/force.csv?period=month&month=2026-10"
                ).content.decode()
            )
        )
    )
    header, row = rows[0], rows[1]
    assert row[header.index("white respondents")] == "50"
    assert row[header.index("gap (white − BME)")] == TOO_FEW
    assert all(cell == TOO_FEW for cell in row[4:])


def test_weighted_perception_figure(world) -> None:
    client = _client(world["analyst"])
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    "/staff/citizen-focus/spi2a/force.csv?period=month&month=2026-10"
                ).content.decode()
            )
        )
    )
    assert rows[1][2] == "1" and rows[1][4] == "1.000"


def test_unknown_indicator_or_table_is_404(world) -> None:
    client = _client(world["analyst"])
    assert client.get("/staff/citizen-focus/spi99/").status_code == 404
    assert client.get("/staff/citizen-focus/spi1e/nothing.csv").status_code == 404


def test_other_force_is_refused(world) -> None:
    ForceFactory(id="north-yorkshire")
    client = _client(world["analyst"])
    assert client.get("/staff/citizen-focus/?force=north-yorkshire").status_code == 403


def test_comments_are_read_audited(world) -> None:
    response = SurveyResponseFactory(force=world["force"], neighbourhood=world["hood"])
    ResponseCommentFactory(response=response, text="Nobody <b>called</b> back")
    client = _client(world["sergeant"])
    page = client.get("/staff/citizen-focus/comments/west-yorkshire/A/")
    assert page.status_code == 200
    assert "Nobody &lt;b&gt;called&lt;/b&gt; back" in page.content.decode()
    entry = AuditEntry.objects.get(record_type="citizenfocus.responsecomment")
    assert entry.actor_name == "sergeant"
    assert entry.force_id == "west-yorkshire"
    # the analyst sees the figures but not what people wrote
    assert (
        _client(world["analyst"]).get("/staff/citizen-focus/comments/west-yorkshire/A/").status_code
        == 403
    )


@pytest.mark.django_db
def test_map_colours_only_neighbourhoods_significant_after_fdr() -> None:
    from shapely.geometry import box

    from ourpatch.citizenfocus import charts
    from ourpatch.citizenfocus.models import SurveyResponse
    from ourpatch.geography.factories import NeighbourhoodBoundaryFactory

    force = ForceFactory(id="west-yorkshire")
    analyst = StaffProfileFactory(
        user=UserFactory(username="analyst"), role=StaffRole.ANALYST, force=force
    ).user
    rows = []
    for i in range(20):
        hood = NeighbourhoodFactory(force=force, code=f"N{i:02d}", name=f"Area {i:02d}")
        NeighbourhoodBoundaryFactory(
            neighbourhood=hood, boundary=box(i * 0.01, 0, i * 0.01 + 0.01, 0.01)
        )
        # N00: 75 of 80 (survives BH); N01: 59 of 80 (p = 0.014 alone, not after BH); rest 48
        good = {0: 75, 1: 59}.get(i, 48)
        rows += [
            SurveyResponse(
                force=force,
                neighbourhood=hood,
                survey="perception",
                reference=f"{i}-{k}",
                month=OCT,
                good_job=1 if k < good else 4,
            )
            for k in range(80)
        ]
    SurveyResponse.objects.bulk_create(rows)
    client = Client()
    client.force_login(analyst)
    page = client.get("/staff/citizen-focus/spi2a/?period=month&month=2026-10").content.decode()
    assert page.count(f'fill="{charts.BETTER}"') == 1
    assert f'fill="{charts.WORSE}"' not in page
    # the coloured area is N00's; N01 stays grey
    coloured = page[page.index(f'fill="{charts.BETTER}"') :]
    assert coloured[: coloured.index("</path>")].endswith("<title>Area 00</title>")
