from django.urls import path, re_path

from ourpatch.pledge import views

app_name = "pledge"

MONTH = r"(?P<month>\d{4}-\d{2})"
HOOD = r"^staff/pledge/(?P<force>[-\w]+)/neighbourhoods/(?P<code>[^/]+)/(?P<item>\d+)/"
UNPLACED = r"^staff/pledge/(?P<force>[-\w]+)/no-neighbourhood/(?P<item>\d+)/"

urlpatterns = [
    # public scorecards
    path(
        "neighbourhoods/<slug:force>/<str:code>/pledge/",
        views.public_neighbourhood,
        name="neighbourhood-scorecard",
    ),
    path("forces/<slug:force>/pledge/", views.public_force, name="force-scorecard"),
    # staff: force → command unit → neighbourhood → breaches of one item and month
    path("staff/pledge/", views.dashboard, name="dashboard"),
    path("staff/pledge/<slug:force>/pledge.csv", views.figures_csv, name="csv"),
    path("staff/pledge/<slug:force>/units/<int:bcu>/", views.unit, name="unit"),
    path(
        "staff/pledge/<slug:force>/neighbourhoods/<str:code>/",
        views.neighbourhood,
        name="neighbourhood",
    ),
    re_path(HOOD + MONTH + r"/$", views.breaches, name="breaches"),
    re_path(HOOD + MONTH + r"\.csv$", views.breaches_csv, name="breaches-csv"),
    # the records placed in no neighbourhood, counted for the force alone
    path("staff/pledge/<slug:force>/no-neighbourhood/", views.unplaced, name="unplaced"),
    re_path(UNPLACED + MONTH + r"/$", views.unplaced_breaches, name="unplaced-breaches"),
    re_path(
        UNPLACED + MONTH + r"\.csv$", views.unplaced_breaches_csv, name="unplaced-breaches-csv"
    ),
]
