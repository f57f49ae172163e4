from django.urls import path

from ourpatch.updates import views

app_name = "updates"

urlpatterns = [
    path("neighbourhoods/<slug:force>/<str:code>/updates/", views.archive, name="archive"),
    path(
        "neighbourhoods/<slug:force>/<str:code>/updates/<str:month>/",
        views.update,
        name="update",
    ),
    path(
        "neighbourhoods/<slug:force>/<str:code>/updates/<str:month>.pdf",
        views.update_pdf,
        name="pdf",
    ),
]
