"""The police.uk-compatible API against real police.uk responses (tests/fixtures/).

Each test builds ourpatch data from a sample, asks our endpoint for it, and checks that the
answer has exactly police.uk's keys and JSON types (strings stay strings: coordinates,
population), and where ourpatch holds the same facts, the same values.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from shapely.geometry import MultiPolygon, box

from ourpatch.api.policeuk import boundary_points, coordinate, priority
from ourpatch.api.tests.shapes import assert_same_shape, sample
from ourpatch.geography.factories import (
    ForceFactory,
    NeighbourhoodBoundaryFactory,
    NeighbourhoodFactory,
    PostcodeFactory,
)
from ourpatch.teams.factories import LocationFactory, TeamMemberFactory
from ourpatch.teams.models import Role

FORCE = sample("police-force.json")
NEIGHBOURHOOD = sample("neighbourhood.json")


def get(url: str, **params):
    response = Client().get(url, params)
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    return response


def ok(url: str, **params):
    response = get(url, **params)
    assert response.status_code == 200, response.content
    return json.loads(response.content)


@pytest.fixture
def leicestershire(db):
    """Leicestershire and its City Centre neighbourhood, as police.uk's samples have them."""
    force = ForceFactory(
        id=FORCE["id"],
        name=FORCE["name"],
        description=FORCE["description"],
        url=FORCE["url"],
        telephone=FORCE["telephone"],
        engagement_methods=FORCE["engagement_methods"],
    )
    area = NeighbourhoodFactory(
        force=force,
        code=NEIGHBOURHOOD["id"],
        name=NEIGHBOURHOOD["name"],
        description=NEIGHBOURHOOD["description"],
        population=int(NEIGHBOURHOOD["population"]),
        email=NEIGHBOURHOOD["contact_details"]["email"],
        telephone=NEIGHBOURHOOD["contact_details"]["telephone"],
    )
    centre = NEIGHBOURHOOD["centre"]
    lat, lng = float(centre["latitude"]), float(centre["longitude"])
    NeighbourhoodBoundaryFactory(
        neighbourhood=area,
        boundary=box(lng - 0.01, lat - 0.01, lng + 0.01, lat + 0.01),
        centre_latitude=lat,
        centre_longitude=lng,
    )
    station = NEIGHBOURHOOD["locations"][0]
    base = LocationFactory(
        force=force,
        name=station["name"],
        address=station["address"],
        postcode=station["postcode"],
        latitude=None,
        longitude=None,
        description="",
    )
    base.neighbourhoods.add(area)
    return area


def test_forces_lists_id_and_name(leicestershire):
    ForceFactory(id="avon-and-somerset", name="Avon and Somerset Constabulary")
    body = ok("/api/forces")
    assert body == [
        {"id": "avon-and-somerset", "name": "Avon and Somerset Constabulary"},
        {"id": "leicestershire", "name": "Leicestershire Constabulary"},
    ]


def test_force_matches_police_uk(leicestershire):
    body = ok("/api/forces/leicestershire")
    # police.uk's live service adds "type" to each engagement method (its older documented
    # sample, ours, has none); ourpatch gives it, null when unknown.
    assert_same_shape(FORCE, body, extra={"$.engagement_methods[].type"})
    assert {k: v for k, v in body.items() if k != "engagement_methods"} == {
        k: v for k, v in FORCE.items() if k != "engagement_methods"
    }
    assert [
        {k: m[k] for k in ("title", "url", "description")} for m in body["engagement_methods"]
    ] == FORCE["engagement_methods"]
    assert {m["type"] for m in body["engagement_methods"]} == {None}


def test_force_engagement_methods_keep_their_type(db):
    ForceFactory(
        id="metropolitan",
        engagement_methods=[{"type": "twitter", "title": "twitter", "url": "https://x.com/m"}],
    )
    body = ok("/api/forces/metropolitan")
    assert body["engagement_methods"] == [
        {"url": "https://x.com/m", "description": None, "title": "twitter", "type": "twitter"}
    ]
    # empty text is null, as police.uk writes it
    assert body["description"] is None and body["url"] is None


def test_senior_officers_are_the_forces_inspectors(leicestershire):
    officer = sample("police-officer.json")
    TeamMemberFactory(
        force=leicestershire.force,
        name=officer["name"],
        role=Role.INSPECTOR,
        bio=officer["bio"],
        neighbourhoods=[leicestershire],
    )
    TeamMemberFactory(force=leicestershire.force, role=Role.PCSO, neighbourhoods=[leicestershire])
    TeamMemberFactory(force=leicestershire.force, role=Role.INSPECTOR, end_date=dt.date(2021, 1, 1))
    body = ok("/api/forces/leicestershire/people")
    assert len(body) == 1
    assert_same_shape(officer, body[0])
    assert body[0]["name"] == officer["name"] and body[0]["bio"] == officer["bio"]
    assert body[0]["rank"] == "Inspector"


def test_neighbourhoods_are_references(leicestershire):
    body = ok("/api/leicestershire/neighbourhoods")
    assert body == [sample("neighbourhood-reference.json")]


def test_neighbourhood_matches_police_uk(leicestershire):
    body = ok("/api/leicestershire/NC04")
    # ourpatch keeps no links to partners' websites yet: "links" is an empty list
    assert_same_shape(NEIGHBOURHOOD, body, may_be_empty={"$.links"})
    for key in ("name", "centre", "locations", "description", "id", "population"):
        assert body[key] == NEIGHBOURHOOD[key], key
    assert body["contact_details"] == {
        k: NEIGHBOURHOOD["contact_details"][k] for k in ("email", "telephone")
    }
    # police.uk links to the force's page for the neighbourhood; ours is the public page
    assert body["url_force"] == "http://testserver/neighbourhoods/leicestershire/NC04/"
    assert isinstance(body["population"], str)
    assert all(isinstance(v, str) for v in body["centre"].values())


def test_a_base_with_coordinates_gives_them_as_strings(leicestershire):
    base = LocationFactory(
        force=leicestershire.force, name="Euston Street", latitude=52.63, longitude=-1.14
    )
    base.neighbourhoods.add(leicestershire)
    locations = ok("/api/leicestershire/NC04")["locations"]
    euston = next(x for x in locations if x["name"] == "Euston Street")
    assert (euston["latitude"], euston["longitude"]) == ("52.63", "-1.14")


def test_unknown_population_is_the_string_zero(leicestershire):
    leicestershire.population = None
    leicestershire.save()
    assert ok("/api/leicestershire/NC04")["population"] == "0"


def test_neighbourhood_team_matches_police_uk(leicestershire):
    TeamMemberFactory(
        force=leicestershire.force,
        name="Pat Example",
        role=Role.PCSO,
        bio="Pat has walked this beat since 2015.",
        email="pat@police.example",
        telephone="101",
        neighbourhoods=[leicestershire],
    )
    TeamMemberFactory(
        force=leicestershire.force,
        name="Sam Sergeant",
        role=Role.SERGEANT,
        bio="",
        email="",
        neighbourhoods=[leicestershire],
    )
    body = ok("/api/leicestershire/NC04/people")
    assert [m["name"] for m in body] == ["Sam Sergeant", "Pat Example"]  # who leads it first
    assert_same_shape(sample("police-officer.json"), body[1])
    assert body[1]["contact_details"] == {"email": "pat@police.example", "telephone": "101"}
    assert body[1]["rank"] == "Police community support officer (PCSO)"
    # police.uk's sample of an officer with nothing known: bio null, contact_details {}
    nulls = sample("police-officer-nulls.json")
    assert set(body[0]) == set(nulls)
    assert body[0]["bio"] is None and body[0]["contact_details"] == {}
    assert body[0]["rank"] == "Sergeant"  # ourpatch always knows the role


def test_events_and_priorities_are_empty_lists_for_now(leicestershire):
    assert ok("/api/leicestershire/NC04/events") == []
    assert ok("/api/leicestershire/NC04/priorities") == []


@pytest.mark.parametrize(
    "name", ["neighbourhood-priority.json", "neighbourhood-priority-no-action.json"]
)
def test_a_priority_has_police_uks_hyphenated_keys_and_values(name):
    theirs = sample(name)
    issued = dt.datetime.fromisoformat(theirs["issue-date"])
    acted = dt.datetime.fromisoformat(theirs["action-date"]) if theirs["action-date"] else None
    ours = priority(theirs["issue"], issued, theirs["action"], acted)
    assert ours == theirs
    assert "issue-date" in ours and "action-date" in ours


def test_boundary_is_a_list_of_string_points(leicestershire):
    body = ok("/api/leicestershire/NC04/boundary")
    assert len(body) == 5  # a box: four corners, the first repeated to close the ring
    assert body[0] == body[-1]
    for point in body:
        assert set(point) == {"latitude", "longitude"}
        assert all(isinstance(v, str) for v in point.values())
    assert {p["latitude"] for p in body} == {coordinate(52.6289), coordinate(52.6489)}


def test_a_multipolygon_boundary_is_its_parts_one_after_another(db):
    shape = MultiPolygon([box(0, 50, 1, 51), box(2, 50, 3, 51)])
    points = boundary_points(shape)
    assert len(points) == 10
    assert points[0] == points[4] and points[5] == points[9]
    assert {p["longitude"] for p in points[:5]} == {"0", "1"}
    assert {p["longitude"] for p in points[5:]} == {"2", "3"}


def test_locate_neighbourhood_returns_one_object(db):
    theirs = sample("neighbourhood-policing-team.json")
    force = ForceFactory(id=theirs["force"], name="Metropolitan Police Service")
    area = NeighbourhoodFactory(force=force, code=theirs["neighbourhood"])
    NeighbourhoodBoundaryFactory(neighbourhood=area, boundary=box(-0.13, 51.49, -0.12, 51.51))
    body = ok("/api/locate-neighbourhood", q="51.500617,-0.124629")
    assert body == theirs
    PostcodeFactory(postcode="SW1A 2AA", latitude=51.5034, longitude=-0.1276, neighbourhood=area)
    assert ok("/api/locate-neighbourhood", q="sw1a2aa") == theirs


def test_neighbourhood_ids_with_spaces_dots_and_underscores(db):
    force = ForceFactory(id="dorset")
    for code in ("55.CR3001", "Town Centre_North", "NC 04"):
        NeighbourhoodFactory(force=force, code=code, name=code)
    for code in ("55.CR3001", "Town Centre_North", "NC 04"):
        assert ok(f"/api/dorset/{code}")["id"] == code
        assert ok(f"/api/dorset/{code}/people") == []
    assert ok("/api/dorset/NC%2004")["id"] == "NC 04"


def test_coordinates_are_written_like_police_uks():
    assert coordinate(52.6389) == "52.6389"
    assert coordinate(-1.13619) == "-1.13619"
    assert coordinate(-1.0000001) == "-1"
    assert coordinate(-0.0000001) == "0"
    assert coordinate(53.12345678) == "53.123457"


# --- status codes, as police.uk's ------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/forces/nowhere",
        "/api/forces/nowhere/people",
        "/api/nowhere/neighbourhoods",
        "/api/nowhere/NC04",
        "/api/leicestershire/XX99",
        "/api/leicestershire/XX99/boundary",
        "/api/leicestershire/XX99/people",
        "/api/leicestershire/XX99/events",
        "/api/leicestershire/XX99/priorities",
        "/api/crimes-street/all-crime/too/deep",
        "/api/",
    ],
)
def test_unknown_things_are_json_404s(leicestershire, url):
    response = get(url)
    assert response.status_code == 404
    assert "error" in json.loads(response.content)


def test_a_closed_neighbourhood_is_gone_from_the_police_uk_api(leicestershire):
    NeighbourhoodFactory(
        force=leicestershire.force,
        code="OLD1",
        valid_from=dt.date(2001, 1, 1),
        valid_to=dt.date(2010, 1, 1),
    )
    assert get("/api/leicestershire/OLD1").status_code == 404
    assert [n["id"] for n in ok("/api/leicestershire/neighbourhoods")] == ["NC04"]


def test_a_point_outside_every_neighbourhood_is_404(leicestershire):
    assert get("/api/locate-neighbourhood", q="51.5,-0.12").status_code == 404
    assert get("/api/locate-neighbourhood", q="0,0").status_code == 404


def test_an_unknown_or_uncovered_postcode_is_404(leicestershire):
    PostcodeFactory(postcode="LE99 1AA", latitude=None, longitude=None, neighbourhood=None)
    assert get("/api/locate-neighbourhood", q="LE1 1ZZ").status_code == 404
    assert get("/api/locate-neighbourhood", q="LE99 1AA").status_code == 404


def test_a_postcode_finds_the_neighbourhood_through_its_point(leicestershire):
    PostcodeFactory(postcode="LE1 3GG", latitude=52.6389, longitude=-1.13619, neighbourhood=None)
    body = ok("/api/locate-neighbourhood", q="le1 3gg")
    assert body == {"force": "leicestershire", "neighbourhood": "NC04"}


@pytest.mark.parametrize(
    "q",
    [None, "", "   ", "abc", "52.6", "52.6,", ",-1.1", "91,0", "0,181", "nan,0", "1,2,3", "x,y"],
)
def test_bad_q_is_a_json_400_naming_q(leicestershire, q):
    response = get("/api/locate-neighbourhood", **({} if q is None else {"q": q}))
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["error"].startswith("q: ")
    assert body["parameter"] == "q"


def test_a_good_point_inside_is_found(leicestershire):
    assert ok("/api/locate-neighbourhood", q=" 52.6389 , -1.13619 ")["neighbourhood"] == "NC04"


@pytest.mark.parametrize(
    "url",
    [
        "/api/forces",
        "/api/forces/leicestershire",
        "/api/leicestershire/NC04",
        "/api/leicestershire/NC04/people",
        "/api/locate-neighbourhood?q=52.6389,-1.13619",
        "/api/nowhere/at/all",
    ],
)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_only_get_is_allowed(leicestershire, url, method):
    # with CSRF checks on, as a browser would meet them: 405, not CSRF's 403
    response = getattr(Client(enforce_csrf_checks=True), method)(url)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"] == "application/json"
    assert "error" in json.loads(response.content)


def test_head_is_get_without_a_body(leicestershire):
    response = Client().head("/api/forces")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight(leicestershire):
    response = Client().options(
        "/api/leicestershire/NC04",
        HTTP_ORIGIN="https://example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-requested-with",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Headers"] == "x-requested-with"
    assert int(response["Access-Control-Max-Age"]) > 0


def test_every_answer_may_be_read_by_other_sites(leicestershire):
    for url in ("/api/forces", "/api/nowhere/x", "/api/locate-neighbourhood"):
        response = Client().get(url, HTTP_ORIGIN="https://example.org")
        assert response["Access-Control-Allow-Origin"] == "*"
        assert response["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_no_staff_account_or_resident_data_leaks(leicestershire):
    from ourpatch.accounts.factories import UserFactory

    account = UserFactory(username="pat.private", email="pat.private@home.example")
    TeamMemberFactory(force=leicestershire.force, account=account, neighbourhoods=[leicestershire])
    for url in ("/api/leicestershire/NC04/people", "/api/leicestershire/NC04"):
        assert b"pat.private" not in Client().get(url).content


def test_a_trailing_slash_is_forgiven(leicestershire):
    assert ok("/api/forces/") == ok("/api/forces")
    assert ok("/api/leicestershire/NC04/")["id"] == "NC04"
    assert get("/api/nowhere/").status_code == 404


def test_a_neighbourhood_without_a_current_boundary(db):
    force = ForceFactory(id="dorset")
    NeighbourhoodFactory(force=force, code="NB1", description="")
    body = ok("/api/dorset/NB1")
    assert body["centre"] == {"latitude": None, "longitude": None}
    assert body["description"] is None and body["locations"] == []
    assert ok("/api/dorset/NB1/boundary") == []
