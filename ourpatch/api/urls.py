"""/api/: the police.uk-compatible methods, and ourpatch's own under /api/v1/.

Order matters: police.uk's two-segment ``{force}/{neighbourhood}`` would otherwise swallow
``v1/forces`` and ``forces/{force}``. Neighbourhood ids are ``<str:...>`` because police.uk's
contain spaces, dots and underscores. Every other URL under /api/ is a JSON 404 (with CORS).
"""

from django.urls import path, re_path

from ourpatch.api import policeuk, policeuk_crime, v1
from ourpatch.api.http import not_found

app_name = "api"

# ourpatch's own API; openapi.py describes every one of these (a test checks both ways)
v1_urlpatterns = [
    path("v1/forces", v1.forces, name="v1-forces"),
    path(
        "v1/forces/<str:force>/neighbourhoods",
        v1.force_neighbourhoods,
        name="v1-force-neighbourhoods",
    ),
    path("v1/neighbourhoods/<str:force>/<str:code>", v1.neighbourhood, name="v1-neighbourhood"),
    path("v1/locate", v1.locate, name="v1-locate"),
    path("v1/search", v1.search, name="v1-search"),
    path("v1/openapi.json", v1.openapi, name="v1-openapi"),
]

# data.police.uk's crime, outcome and stop-and-search methods (before the neighbourhood
# methods: "crimes-street/burglary" would otherwise be a force and a neighbourhood)
crime_urlpatterns = [
    path("crime-categories", policeuk_crime.crime_categories, name="crime-categories"),
    path("crime-last-updated", policeuk_crime.crime_last_updated, name="crime-last-updated"),
    path("crimes-street-dates", policeuk_crime.crimes_street_dates, name="crimes-street-dates"),
    path("crimes-street/<str:category>", policeuk_crime.crimes_street, name="crimes-street"),
    path("crimes-at-location", policeuk_crime.crimes_at_location, name="crimes-at-location"),
    path("crimes-no-location", policeuk_crime.crimes_no_location, name="crimes-no-location"),
    path(
        "outcomes-for-crime/<str:persistent_id>",
        policeuk_crime.outcomes_for_crime,
        name="outcomes-for-crime",
    ),
    path("outcomes-at-location", policeuk_crime.outcomes_at_location, name="outcomes-at-location"),
    path("stops-street", policeuk_crime.stops_street, name="stops-street"),
    path("stops-at-location", policeuk_crime.stops_at_location, name="stops-at-location"),
    path("stops-no-location", policeuk_crime.stops_no_location, name="stops-no-location"),
    path("stops-force", policeuk_crime.stops_force, name="stops-force"),
]

# data.police.uk's neighbourhood methods, at the same paths under /api/
policeuk_urlpatterns = [
    path("forces", policeuk.forces, name="forces"),
    path("forces/<str:force>", policeuk.force_info, name="force"),
    path("forces/<str:force>/people", policeuk.force_people, name="force-people"),
    path("locate-neighbourhood", policeuk.locate_neighbourhood, name="locate-neighbourhood"),
    path("<str:force>/neighbourhoods", policeuk.neighbourhoods, name="neighbourhoods"),
    path("<str:force>/<str:neighbourhood>", policeuk.neighbourhood, name="neighbourhood"),
    path(
        "<str:force>/<str:neighbourhood>/boundary",
        policeuk.neighbourhood_boundary,
        name="neighbourhood-boundary",
    ),
    path(
        "<str:force>/<str:neighbourhood>/people",
        policeuk.neighbourhood_people,
        name="neighbourhood-people",
    ),
    path(
        "<str:force>/<str:neighbourhood>/events",
        policeuk.neighbourhood_events,
        name="neighbourhood-events",
    ),
    path(
        "<str:force>/<str:neighbourhood>/priorities",
        policeuk.neighbourhood_priorities,
        name="neighbourhood-priorities",
    ),
]

urlpatterns = [
    *v1_urlpatterns,
    *crime_urlpatterns,
    *policeuk_urlpatterns,
    re_path(r"^(?P<path>.*)$", not_found, name="not-found"),
]
