from django.urls import path

from ourpatch.geography import views

app_name = "geography"

urlpatterns = [
    path("imports/", views.import_upload, name="import"),
    path(
        "neighbourhoods/<slug:force>/<str:code>/edit/",
        views.neighbourhood_edit,
        name="neighbourhood-edit",
    ),
]
