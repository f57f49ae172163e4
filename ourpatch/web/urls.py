from django.urls import path

from ourpatch.contact import views as contact
from ourpatch.geography import views as geography
from ourpatch.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("healthz", views.healthz, name="healthz"),
    path("search", geography.search_page, name="search"),
    path("forces/<slug:force>/", views.force, name="force"),
    path("neighbourhoods/<slug:force>/<str:code>/", views.neighbourhood, name="neighbourhood"),
    path(
        "neighbourhoods/<slug:force>/<str:code>/boundary.geojson",
        geography.boundary_geojson,
        name="boundary",
    ),
    path("neighbourhoods/<slug:force>/<str:code>/contact/", contact.contact_team, name="contact"),
    path(
        "neighbourhoods/<slug:force>/<str:code>/contact/sent/",
        contact.contact_sent,
        name="contact-sent",
    ),
]
