"""Finding a neighbourhood: postcodes in any form, parts of them, places, points."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from shapely.geometry import box

from ourpatch.geography.factories import (
    BasicCommandUnitFactory,
    ForceFactory,
    NeighbourhoodBoundaryFactory,
    NeighbourhoodFactory,
    PostcodeFactory,
)
from ourpatch.geography.locate import NeighbourhoodIndex
from ourpatch.geography.search import search


@pytest.fixture
def leeds(db):
    force = ForceFactory(id="west-yorkshire", name="West Yorkshire Police")
    bcu = BasicCommandUnitFactory(force=force, code="leeds", name="Leeds District")
    centre = NeighbourhoodFactory(force=force, bcu=bcu, code="E02006875", name="City Centre")
    hyde = NeighbourhoodFactory(force=force, bcu=bcu, code="E02002330", name="Hyde Park")
    NeighbourhoodBoundaryFactory(neighbourhood=centre, boundary=box(-1.56, 53.79, -1.53, 53.81))
    NeighbourhoodBoundaryFactory(neighbourhood=hyde, boundary=box(-1.59, 53.80, -1.56, 53.82))
    PostcodeFactory(postcode="LS1 4AP", latitude=53.7995, longitude=-1.5491, neighbourhood=centre)
    PostcodeFactory(postcode="LS1 4BB", latitude=53.80, longitude=-1.545, neighbourhood=centre)
    PostcodeFactory(postcode="LS1 5XX", latitude=53.801, longitude=-1.566, neighbourhood=hyde)
    PostcodeFactory(
        postcode="LS1 9ZZ",
        latitude=53.798,
        longitude=-1.55,
        neighbourhood=centre,
        terminated=dt.date(2019, 6, 1),
    )
    PostcodeFactory(postcode="LS99 1AA", latitude=54.5, longitude=-1.0, neighbourhood=None)
    return {"centre": centre, "hyde": hyde}


@pytest.mark.parametrize("typed", ["ls1 4ap", "LS14AP", " Ls1  4Ap ", "LS1 4AP"])
def test_a_full_postcode_in_any_case_and_spacing_goes_to_its_neighbourhood(leeds, typed):
    response = Client().get("/search", {"q": typed})
    assert response.status_code == 302
    assert response["Location"] == "/neighbourhoods/west-yorkshire/E02006875/"


def test_a_postcode_sector_lists_the_neighbourhoods_to_choose_from(leeds):
    outcome = search("LS1")
    assert outcome.kind == "choices"
    assert [c.area.name for c in outcome.choices] == ["City Centre", "Hyde Park"]
    assert outcome.choices[0].detail == "3 postcodes in LS1"
    assert [c.area.name for c in search("ls1 5").choices] == ["Hyde Park"]
    page = Client().get("/search", {"q": "LS1"})
    assert page.status_code == 200 and "Choose your neighbourhood" in page.content.decode()


def test_a_place_name_matches_neighbourhoods_and_districts(leeds):
    assert search("hyde park").kind == "match"
    outcome = search("Leeds")
    assert outcome.kind == "choices"
    assert {c.area.name for c in outcome.choices} == {"City Centre", "Hyde Park"}


def test_a_terminated_postcode_still_finds_its_neighbourhood_with_a_note(leeds):
    client = Client()
    response = client.get("/search", {"q": "LS1 9ZZ"}, follow=True)
    assert response.redirect_chain[-1][0] == "/neighbourhoods/west-yorkshire/E02006875/"
    assert "stopped being used in June 2019" in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("LS1 4ZZ", "We could not find the postcode LS1 4ZZ"),
        ("abc", "We found nothing called “abc”"),
        ("LS1 4A@", "is not a postcode or a place name"),
        ("<script>alert(1)</script>", "is not a postcode or a place name"),
        ("LS99 1AA", "outside every neighbourhood"),
        ("ZZ9", "We found no postcodes starting ZZ9"),
        ("x" * 101, "too long"),
        ("91.0, -1.5", "latitude must be between -90 and 90"),
        ("53.80, -1.555", None),  # coordinates typed into the box work too
    ],
)
def test_bad_or_unknown_input_gets_a_helpful_message_on_the_same_page(leeds, typed, says):
    response = Client().get("/search", {"q": typed})
    if says is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    body = response.content.decode()
    assert says in body
    assert "<script>alert(1)</script>" not in body


def test_a_click_on_the_map_is_a_point_search(leeds):
    response = Client().get("/search", {"lat": "53.815", "lng": "-1.57"})
    assert response["Location"] == "/neighbourhoods/west-yorkshire/E02002330/"
    outside = Client().get("/search", {"lat": "51.5", "lng": "-0.12"})
    assert "outside every neighbourhood" in outside.content.decode()
    abroad = Client().get("/search", {"lat": "48.85", "lng": "2.35"})
    assert "outside the United Kingdom" in abroad.content.decode()
    junk = Client().get("/search", {"lat": "north", "lng": "-1.5"})
    assert junk.status_code == 200 and "must be numbers" in junk.content.decode()


def test_batch_and_single_lookups_agree(leeds):
    import numpy as np

    index = NeighbourhoodIndex.build()
    lats = np.array([53.80, 53.815, 52.0])
    lngs = np.array([-1.54, -1.57, -1.0])
    found = index.locate_many(lats, lngs)
    singles = [index.locate(la, ln) for la, ln in zip(lats, lngs, strict=True)]
    assert (
        [index.areas[i].name if i >= 0 else None for i in found]
        == [a.name if a else None for a in singles]
        == ["City Centre", "Hyde Park", None]
    )


def test_a_boundary_change_is_seen_by_the_next_lookup(leeds):
    from ourpatch.geography.locate import locate_point

    assert locate_point(53.835, -1.575) is None
    version = leeds["hyde"].boundaries.get()
    version.boundary = box(-1.59, 53.80, -1.56, 53.84)
    version.save()
    assert locate_point(53.835, -1.575).name == "Hyde Park"


def test_boundary_geojson_for_the_map(leeds):
    data = Client().get("/neighbourhoods/west-yorkshire/E02006875/boundary.geojson").json()
    assert data["type"] == "Feature" and data["geometry"]["type"] == "Polygon"
    assert data["properties"]["name"] == "City Centre"
