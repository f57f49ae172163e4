"""The OpenAPI 3.1 document for /api/v1/, written by hand, served at /api/v1/openapi.json.

Tests keep it honest: every /api/v1/ URL is described here and every path here is a URL,
and real responses are checked against these schemas.
"""

from __future__ import annotations

import copy
from typing import Any

from ourpatch.teams.models import Role

Schema = dict[str, Any]


def _obj(properties: dict[str, Schema], *, description: str = "") -> Schema:
    """An object with exactly these properties, all of them always present."""
    schema: Schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    if "$ref" in schema:
        return {"oneOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


STRING: Schema = {"type": "string"}
TEXT: Schema = {"type": ["string", "null"], "description": "null when there is none"}
URL: Schema = {"type": "string", "format": "uri"}
DATE: Schema = {"type": "string", "format": "date"}
DATETIME: Schema = {"type": "string", "format": "date-time"}
BOOLEAN: Schema = {"type": "boolean"}

NEIGHBOURHOOD_REF: dict[str, Schema] = {
    "force": {"type": "string", "description": "the force's id, as police.uk's"},
    "code": {"type": "string", "description": "the neighbourhood's id within its force"},
    "name": STRING,
    "url": {**URL, "description": "this neighbourhood in this API"},
    "page_url": {**URL, "description": "the neighbourhood's public page"},
}

SCHEMAS: dict[str, Schema] = {
    "Error": {
        "type": "object",
        "properties": {
            "error": {"type": "string", "description": "what is wrong; starts with NAME: "},
            "parameter": {"type": "string", "description": "the query parameter at fault"},
        },
        "required": ["error"],
        "additionalProperties": False,
    },
    "Point": _obj(
        {"latitude": {"type": "number"}, "longitude": {"type": "number"}},
        description="WGS84 decimal degrees",
    ),
    "CommandUnit": _obj({"code": STRING, "name": STRING}),
    "ForceSummary": _obj(
        {
            "id": STRING,
            "name": STRING,
            "description": TEXT,
            "url": _nullable(URL),
            "telephone": TEXT,
            "is_demonstration": {
                **BOOLEAN,
                "description": "a demonstration force: its people are invented",
            },
            "neighbourhood_count": {"type": "integer", "description": "neighbourhoods today"},
            "last_confirmed": DATETIME,
            "neighbourhoods_url": URL,
        }
    ),
    "ForceList": _obj({"forces": {"type": "array", "items": _ref("ForceSummary")}}),
    "ForceRef": _obj({"id": STRING, "name": STRING, "is_demonstration": BOOLEAN}),
    "NeighbourhoodRef": _obj(NEIGHBOURHOOD_REF),
    "NeighbourhoodListItem": _obj(
        {
            **NEIGHBOURHOOD_REF,
            "area_class": {"type": "string", "enum": ["urban", "rural"]},
            "population": {"type": ["integer", "null"]},
            "bcu": _nullable(_ref("CommandUnit")),
        }
    ),
    "ForceNeighbourhoods": _obj(
        {
            "force": _ref("ForceRef"),
            "neighbourhoods": {"type": "array", "items": _ref("NeighbourhoodListItem")},
        }
    ),
    "Role": _obj(
        {
            "code": {"type": "string", "enum": [r.value for r in Role]},
            "name": {"type": "string", "description": "in plain words, as residents see it"},
        }
    ),
    "TeamMember": _obj(
        {
            "name": STRING,
            "role": _ref("Role"),
            "collar_number": TEXT,
            "photo_url": _nullable(URL),
            "photo_alt": TEXT,
            "bio": TEXT,
            "email": TEXT,
            "telephone": TEXT,
            "languages": {"type": "array", "items": STRING},
            "last_confirmed": DATETIME,
            "stale": {
                **BOOLEAN,
                "description": "not confirmed for longer than the force allows",
            },
        }
    ),
    "Base": _obj(
        {
            "name": STRING,
            "address": STRING,
            "postcode": STRING,
            "latitude": {"type": ["number", "null"]},
            "longitude": {"type": ["number", "null"]},
            "telephone": TEXT,
            "description": {
                "type": ["string", "null"],
                "description": "opening hours, how to get there, step-free access",
            },
            "last_confirmed": DATETIME,
            "stale": BOOLEAN,
        }
    ),
    "BoundaryVersion": _obj(
        {
            "valid_from": DATE,
            "valid_to": {**DATE, "type": ["string", "null"], "description": "null: still valid"},
            "current": BOOLEAN,
            "centre": _ref("Point"),
            "source": TEXT,
            "imported_at": DATETIME,
        }
    ),
    "Neighbourhood": _obj(
        {
            **NEIGHBOURHOOD_REF,
            "force": {
                "type": "object",
                "properties": {
                    "id": STRING,
                    "name": STRING,
                    "is_demonstration": BOOLEAN,
                    "url": URL,
                },
                "required": ["id", "name", "is_demonstration", "url"],
                "additionalProperties": False,
            },
            "description": TEXT,
            "area_class": {
                "type": "string",
                "enum": ["urban", "rural"],
                "description": "sets the Pledge's attendance standard: 15 or 20 minutes",
            },
            "population": {"type": ["integer", "null"]},
            "bcu": _nullable(_ref("CommandUnit")),
            "email": TEXT,
            "telephone": TEXT,
            "valid_from": DATE,
            "valid_to": {**DATE, "type": ["string", "null"]},
            "current": {**BOOLEAN, "description": "in use today"},
            "last_confirmed": DATETIME,
            "stale": BOOLEAN,
            "centre": _nullable(_ref("Point")),
            "boundary_url": {
                "type": ["string", "null"],
                "format": "uri",
                "description": "the current boundary as GeoJSON",
            },
            "boundaries": {"type": "array", "items": _ref("BoundaryVersion")},
            "team": {
                "type": "array",
                "items": _ref("TeamMember"),
                "description": "today's team, who leads it first",
            },
            "bases": {"type": "array", "items": _ref("Base")},
        }
    ),
    "PostcodeFound": _obj(
        {
            "postcode": STRING,
            "latitude": {"type": ["number", "null"]},
            "longitude": {"type": ["number", "null"]},
            "terminated": {
                "type": ["string", "null"],
                "format": "date",
                "description": "when the postcode stopped being used",
            },
        }
    ),
    "Located": _obj(
        {
            "query": {
                "oneOf": [
                    _obj({"postcode": STRING}),
                    _obj({"latitude": {"type": "number"}, "longitude": {"type": "number"}}),
                ]
            },
            "postcode": _nullable(_ref("PostcodeFound")),
            "neighbourhood": _ref("NeighbourhoodRef"),
        }
    ),
    "SearchResult": _obj(
        {
            **NEIGHBOURHOOD_REF,
            "detail": {"type": ["string", "null"], "description": "why it is offered"},
        }
    ),
    "Search": _obj(
        {
            "query": STRING,
            "kind": {
                "type": "string",
                "enum": ["match", "choices", "none", "outside"],
                "description": (
                    "match: one neighbourhood; choices: several to choose from; none: "
                    "nothing found; outside: a place outside every neighbourhood held. "
                    "(The search's other outcomes, empty and invalid, are 400s.)"
                ),
            },
            "message": TEXT,
            "note": TEXT,
            "results": {"type": "array", "items": _ref("SearchResult")},
        }
    ),
}


def _json(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


BAD = _json(_ref("Error"), "a parameter is missing or cannot be used (named in the body)")
MISSING = _json(_ref("Error"), "nothing there")
TOO_MANY = {
    **_json(_ref("Error"), "too many requests from this client: wait Retry-After seconds"),
    "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}},
}


def _path_param(name: str, description: str) -> Schema:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": STRING,
    }


FORCE = _path_param("force", "the force's id, as police.uk's (west-yorkshire)")


def _get(
    operation_id: str,
    summary: str,
    ok: Schema,
    *,
    parameters: list[Schema] | None = None,
    errors: dict[str, Schema] | None = None,
) -> Schema:
    responses: dict[str, Schema] = {"200": ok, **(errors or {}), "429": TOO_MANY}
    operation: Schema = {"operationId": operation_id, "summary": summary, "responses": responses}
    if parameters:
        operation["parameters"] = parameters
    return {"get": operation}


PATHS: dict[str, Schema] = {
    "/api/v1/forces": _get(
        "listForces",
        "Every force, with how many neighbourhoods it has today",
        _json(_ref("ForceList"), "the forces"),
    ),
    "/api/v1/forces/{force}/neighbourhoods": _get(
        "listNeighbourhoods",
        "A force's neighbourhoods in use today",
        _json(_ref("ForceNeighbourhoods"), "the neighbourhoods"),
        parameters=[FORCE],
        errors={"404": MISSING},
    ),
    "/api/v1/neighbourhoods/{force}/{code}": _get(
        "getNeighbourhood",
        "A neighbourhood: its named team, bases and boundary versions",
        _json(_ref("Neighbourhood"), "the neighbourhood"),
        parameters=[FORCE, _path_param("code", "the neighbourhood's id within its force")],
        errors={"404": MISSING},
    ),
    "/api/v1/locate": _get(
        "locate",
        "The neighbourhood at a point, or a postcode's",
        _json(_ref("Located"), "the neighbourhood there"),
        parameters=[
            {
                "name": "lat",
                "in": "query",
                "description": "latitude, with lng (not with postcode)",
                "schema": {"type": "number", "minimum": -90, "maximum": 90},
            },
            {
                "name": "lng",
                "in": "query",
                "description": "longitude, with lat",
                "schema": {"type": "number", "minimum": -180, "maximum": 180},
            },
            {
                "name": "postcode",
                "in": "query",
                "description": "a full postcode, any spacing or case (ls14ap)",
                "schema": STRING,
            },
        ],
        errors={"400": BAD, "404": _json(_ref("Error"), "no neighbourhood there")},
    ),
    "/api/v1/search": _get(
        "search",
        "Find a neighbourhood from a postcode, part of one, a place name or coordinates",
        _json(_ref("Search"), "what was found (perhaps nothing)"),
        parameters=[
            {
                "name": "q",
                "in": "query",
                "required": True,
                "description": "what a resident would type: LS1 4AP, LS1, Chapel Allerton, "
                "53.8,-1.55",
                "schema": {"type": "string", "maxLength": 100},
            }
        ],
        errors={"400": BAD},
    ),
    "/api/v1/openapi.json": _get(
        "openapi",
        "This document",
        _json({"type": "object"}, "the OpenAPI 3.1 document"),
    ),
}

DOCUMENT: Schema = {
    "openapi": "3.1.0",
    "info": {
        "title": "ourpatch API",
        "version": "1",
        "summary": "Neighbourhoods, their named teams and bases; locate and search.",
        "description": (
            "Read-only and public: only what residents may see, nothing about residents. "
            "Every response allows any origin (CORS). Each client may make 15 requests a "
            "second in bursts of 30 (per web worker); beyond that 429 with Retry-After. "
            "A police.uk-compatible API is at /api/ (data.police.uk's neighbourhood methods)."
        ),
        "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
    },
    "servers": [{"url": "/", "description": "this server"}],
    "paths": PATHS,
    "components": {"schemas": SCHEMAS},
}


def document() -> Schema:
    """A copy of the document, safe for the caller to change."""
    return copy.deepcopy(DOCUMENT)
