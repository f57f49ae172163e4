"""ourpatch's own API, /api/v1/: what each method answers, checked against its OpenAPI
document; and the document against the URLs."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern
from django.utils import timezone
from shapely.geometry import box

from ourpatch.api import urls as api_urls
from ourpatch.api.openapi import document
from ourpatch.api.tests.shapes import json_type
from ourpatch.geography.factories import (
    BasicCommandUnitFactory,
    ForceFactory,
    NeighbourhoodBoundaryFactory,
    NeighbourhoodFactory,
    PostcodeFactory,
)
from ourpatch.teams.factories import LocationFactory, TeamMemberFactory
from ourpatch.teams.models import Role

DOC = document()


# --- a small JSON Schema check, enough for the document's own schemas --------------------


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = DOC["components"]["schemas"][name]
    return schema


def _matches(value: Any, schema: dict[str, Any]) -> bool:
    try:
        conform(value, schema)
    except AssertionError:
        return False
    return True


def conform(value: Any, schema: dict[str, Any], path: str = "$") -> None:
    schema = _resolve(schema)
    if "oneOf" in schema:
        matched = [s for s in schema["oneOf"] if _matches(value, s)]
        assert len(matched) == 1, f"{path}: matches {len(matched)} of oneOf"
        return
    if "type" in schema:
        allowed = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        kind = json_type(value)
        ok = kind in allowed or (kind == "integer" and "number" in allowed)
        assert ok, f"{path}: {kind} is not {allowed}"
    if "enum" in schema:
        assert value in schema["enum"], f"{path}: {value!r} not in {schema['enum']}"
    if isinstance(value, str) and "format" in schema:
        fmt = schema["format"]
        if fmt == "uri":
            assert re.match(r"^https?://", value), f"{path}: not a URL: {value}"
        elif fmt == "date":
            dt.date.fromisoformat(value)
        elif fmt == "date-time":
            assert dt.datetime.fromisoformat(value).tzinfo is not None, path
    if isinstance(value, dict) and "properties" in schema:
        for key in schema.get("required", []):
            assert key in value, f"{path}: {key} missing"
        if schema.get("additionalProperties") is False:
            extra = set(value) - set(schema["properties"])
            assert not extra, f"{path}: undocumented {sorted(extra)}"
        for key, item in value.items():
            if key in schema["properties"]:
                conform(item, schema["properties"][key], f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            conform(item, schema["items"], f"{path}[{i}]")


def documented(url: str, status: int, body: Any) -> None:
    """``body`` is what the document says ``url`` answers with ``status``."""
    path = url.split("?")[0]
    for template, item in DOC["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}/]+\}", "[^/]+", template), path):
            response = item["get"]["responses"][str(status)]
            conform(body, response["content"]["application/json"]["schema"])
            return
    raise AssertionError(f"{path} is not in the OpenAPI document")


def call(url: str, status: int = 200, **params: Any) -> Any:
    response = Client().get(url, params)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    body = json.loads(response.content)
    documented(url, status, body)
    return body


# --- data -----------------------------------------------------------------------------------


@pytest.fixture
def leeds(db):
    force = ForceFactory(id="west-yorkshire", name="West Yorkshire Police", is_demonstration=True)
    bcu = BasicCommandUnitFactory(force=force, code="leeds", name="Leeds District")
    centre = NeighbourhoodFactory(
        force=force, bcu=bcu, code="E02006875", name="City Centre", area_class="urban"
    )
    hyde = NeighbourhoodFactory(force=force, bcu=None, code="E02002330", name="Hyde Park")
    NeighbourhoodFactory(
        force=force,
        code="OLD",
        name="Old Patch",
        valid_from=dt.date(2001, 1, 1),
        valid_to=dt.date(2010, 1, 1),
    )
    NeighbourhoodBoundaryFactory(
        neighbourhood=centre,
        boundary=box(-1.57, 53.78, -1.52, 53.82),
        valid_from=dt.date(2015, 1, 1),
        valid_to=dt.date(2020, 1, 1),
        source="2015 KML",
    )
    NeighbourhoodBoundaryFactory(
        neighbourhood=centre,
        boundary=box(-1.56, 53.79, -1.53, 53.81),
        valid_from=dt.date(2020, 1, 1),
        source="2020 KML",
    )
    NeighbourhoodBoundaryFactory(neighbourhood=hyde, boundary=box(-1.59, 53.80, -1.56, 53.82))
    PostcodeFactory(postcode="LS1 4AP", latitude=53.7995, longitude=-1.5491, neighbourhood=centre)
    PostcodeFactory(
        postcode="LS1 9ZZ",
        latitude=53.798,
        longitude=-1.55,
        neighbourhood=centre,
        terminated=dt.date(2019, 6, 1),
    )
    PostcodeFactory(postcode="LS99 1AA", latitude=54.5, longitude=-1.0, neighbourhood=None)
    sergeant = TeamMemberFactory(
        force=force,
        name="Sam Sergeant",
        role=Role.SERGEANT,
        collar_number="1234",
        languages=["English", "Urdu"],
        neighbourhoods=[centre],
    )
    TeamMemberFactory(
        force=force,
        name="Pat PCSO",
        role=Role.PCSO,
        supervisor=sergeant,
        bio="Walks the city centre.",
        telephone="101",
        last_confirmed=timezone.now() - dt.timedelta(days=400),
        neighbourhoods=[centre],
    )
    TeamMemberFactory(
        force=force, name="Gone Ago", end_date=dt.date(2019, 1, 1), neighbourhoods=[centre]
    )
    station = LocationFactory(force=force, name="Millgarth", description="Open 8am to 8pm")
    station.neighbourhoods.add(centre)
    return {"force": force, "centre": centre, "hyde": hyde}


# --- the methods ----------------------------------------------------------------------------


def test_forces(leeds):
    ForceFactory(id="north-yorkshire", name="North Yorkshire Police")
    body = call("/api/v1/forces")
    assert [f["id"] for f in body["forces"]] == ["north-yorkshire", "west-yorkshire"]
    wy = body["forces"][1]
    assert wy["neighbourhood_count"] == 2  # the closed one is not counted
    assert wy["is_demonstration"] is True
    assert wy["neighbourhoods_url"] == (
        "http://testserver/api/v1/forces/west-yorkshire/neighbourhoods"
    )


def test_force_neighbourhoods(leeds):
    body = call("/api/v1/forces/west-yorkshire/neighbourhoods")
    assert body["force"]["id"] == "west-yorkshire"
    assert [n["code"] for n in body["neighbourhoods"]] == ["E02006875", "E02002330"]
    centre = body["neighbourhoods"][0]
    assert centre["bcu"] == {"code": "leeds", "name": "Leeds District"}
    assert centre["url"] == "http://testserver/api/v1/neighbourhoods/west-yorkshire/E02006875"
    assert centre["page_url"] == "http://testserver/neighbourhoods/west-yorkshire/E02006875/"
    assert body["neighbourhoods"][1]["bcu"] is None


def test_neighbourhood(leeds):
    body = call("/api/v1/neighbourhoods/west-yorkshire/E02006875")
    assert body["name"] == "City Centre" and body["current"] is True
    assert body["force"]["is_demonstration"] is True
    assert body["population"] == 8000 and body["area_class"] == "urban"
    # the team, who leads it first, today's members only
    assert [(m["name"], m["role"]) for m in body["team"]] == [
        ("Sam Sergeant", {"code": "sergeant", "name": "Sergeant"}),
        ("Pat PCSO", {"code": "pcso", "name": "Police community support officer (PCSO)"}),
    ]
    sam, pat = body["team"]
    assert sam["languages"] == ["English", "Urdu"] and sam["collar_number"] == "1234"
    assert sam["photo_url"] is None and sam["stale"] is False
    assert pat["stale"] is True and pat["telephone"] == "101"
    dt.datetime.fromisoformat(pat["last_confirmed"])
    # boundary versions, oldest first, with the current one's centre
    assert [(b["valid_from"], b["valid_to"], b["current"]) for b in body["boundaries"]] == [
        ("2015-01-01", "2020-01-01", False),
        ("2020-01-01", None, True),
    ]
    assert body["centre"] == {"latitude": 53.8, "longitude": -1.55}
    assert body["boundary_url"] == (
        "http://testserver/neighbourhoods/west-yorkshire/E02006875/boundary.geojson"
    )
    assert [b["name"] for b in body["bases"]] == ["Millgarth"]
    assert body["bases"][0]["description"] == "Open 8am to 8pm"


def test_a_team_photo_has_an_absolute_url(leeds, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    member = TeamMemberFactory(force=leeds["force"], neighbourhoods=[leeds["hyde"]])
    member.photo.save("pat.jpg", SimpleUploadedFile("pat.jpg", b"not really a jpeg"))
    body = call("/api/v1/neighbourhoods/west-yorkshire/E02002330")
    assert body["team"][0]["photo_url"].startswith("http://testserver/media/team-photos/pat")


def test_a_closed_neighbourhood_is_still_there_marked_not_current(leeds):
    body = call("/api/v1/neighbourhoods/west-yorkshire/OLD")
    assert body["current"] is False and body["valid_to"] == "2010-01-01"
    assert body["centre"] is None and body["boundary_url"] is None


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/forces/nowhere/neighbourhoods",
        "/api/v1/neighbourhoods/nowhere/E02006875",
        "/api/v1/neighbourhoods/west-yorkshire/NOPE",
    ],
)
def test_unknown_force_or_neighbourhood_is_404(leeds, url):
    assert "error" in call(url, 404)


def test_locate_a_point(leeds):
    body = call("/api/v1/locate", lat="53.8", lng="-1.55")
    assert body["neighbourhood"]["code"] == "E02006875"
    assert body["query"] == {"latitude": 53.8, "longitude": -1.55}
    assert body["postcode"] is None
    assert call("/api/v1/locate", 404, lat="51.5", lng="-0.12")["error"]


def test_locate_a_postcode(leeds):
    body = call("/api/v1/locate", postcode="ls14ap")
    assert body["query"] == {"postcode": "LS1 4AP"}
    assert body["neighbourhood"]["name"] == "City Centre"
    assert body["postcode"]["latitude"] == 53.7995
    assert call("/api/v1/locate", postcode="LS1 9ZZ")["postcode"]["terminated"] == "2019-06-01"
    assert call("/api/v1/locate", 404, postcode="LS1 1ZZ")["error"]
    assert call("/api/v1/locate", 404, postcode="LS99 1AA")["error"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({}, "lat"),
        ({"lat": "53.8"}, "lng"),
        ({"lng": "-1.55"}, "lat"),
        ({"lat": "north", "lng": "-1.55"}, "lat"),
        ({"lat": "53.8", "lng": "west"}, "lng"),
        ({"lat": "91", "lng": "-1.55"}, "lat"),
        ({"lat": "53.8", "lng": "-181"}, "lng"),
        ({"lat": "nan", "lng": "-1.55"}, "lat"),
        ({"lat": "53.8", "lng": "inf"}, "lng"),
        ({"postcode": "not a postcode"}, "postcode"),
        ({"postcode": ""}, "postcode"),
        ({"postcode": "LS1 4AP", "lat": "53.8", "lng": "-1.55"}, "postcode"),
    ],
)
def test_locate_bad_parameters_are_400s_naming_them(leeds, params, parameter):
    body = call("/api/v1/locate", 400, **params)
    assert body["parameter"] == parameter
    assert body["error"].startswith(parameter + ": ")


def test_search_match(leeds):
    body = call("/api/v1/search", q="LS1 4AP")
    assert body["kind"] == "match"
    assert [r["code"] for r in body["results"]] == ["E02006875"]
    assert call("/api/v1/search", q="53.815,-1.57")["results"][0]["code"] == "E02002330"


def test_search_choices(leeds):
    PostcodeFactory(
        postcode="LS1 5XX", latitude=53.801, longitude=-1.566, neighbourhood=leeds["hyde"]
    )
    body = call("/api/v1/search", q="LS1")
    assert body["kind"] == "choices" and body["message"]
    assert [r["name"] for r in body["results"]] == ["City Centre", "Hyde Park"]
    assert body["results"][0]["detail"] == "2 postcodes in LS1"


def test_search_nothing_and_outside(leeds):
    none = call("/api/v1/search", q="Atlantis")
    assert none["kind"] == "none" and none["results"] == [] and none["message"]
    outside = call("/api/v1/search", q="LS99 1AA")
    assert outside["kind"] == "outside" and outside["results"] == []


def test_search_note_for_a_terminated_postcode(leeds):
    assert "stopped being used" in call("/api/v1/search", q="LS1 9ZZ")["note"]


@pytest.mark.parametrize("q", [None, "", "   ", "!!!", "x" * 101, "95,0"])
def test_search_bad_q_is_400(leeds, q):
    body = call("/api/v1/search", 400, **({} if q is None else {"q": q}))
    assert body["parameter"] == "q" and body["error"].startswith("q: ")


def test_v1_is_get_only_with_cors(leeds):
    response = Client(enforce_csrf_checks=True).post("/api/v1/forces")
    assert response.status_code == 405
    assert response["Access-Control-Allow-Origin"] == "*"


# --- the OpenAPI document ---------------------------------------------------------------


def _v1_paths() -> set[str]:
    paths = set()
    for pattern in api_urls.urlpatterns:
        if not isinstance(pattern, URLPattern):
            continue
        route = str(pattern.pattern)
        if route.startswith("v1/"):
            paths.add("/api/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))
    return paths


def test_every_v1_url_is_documented_and_every_documented_path_is_a_url():
    assert _v1_paths() == set(DOC["paths"])
    assert len(_v1_paths()) == 6


def test_the_document_is_served_and_is_openapi_3_1(db):
    body = call("/api/v1/openapi.json")
    assert body == DOC
    assert body["openapi"].startswith("3.1")
    for template, item in body["paths"].items():
        declared = {p["name"] for p in item["get"].get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"\{(\w+)\}", template)), template
        assert "429" in item["get"]["responses"]


def test_every_reference_in_the_document_resolves():
    text = json.dumps(DOC)
    for name in re.findall(r'"#/components/schemas/(\w+)"', text):
        assert name in DOC["components"]["schemas"], name
