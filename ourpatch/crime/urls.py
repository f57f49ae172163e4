from django.urls import path

from ourpatch.crime import views

app_name = "crime"

urlpatterns = [
    path("staff/crime/", views.force_crime, name="force-crime"),
    path("staff/crime.csv", views.force_crime_csv, name="force-crime-csv"),
    path(
        "staff/neighbourhoods/<str:force>/<str:code>/crime/",
        views.neighbourhood_crime,
        name="crime",
    ),
    path(
        "staff/neighbourhoods/<str:force>/<str:code>/crime.csv",
        views.neighbourhood_crime_csv,
        name="crime-csv",
    ),
    path(
        "staff/neighbourhoods/<str:force>/<str:code>/incidents/",
        views.neighbourhood_incidents,
        name="incidents",
    ),
]
