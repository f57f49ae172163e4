from django.urls import path

from ourpatch.calls import views

app_name = "calls"

urlpatterns = [
    path(
        "staff/neighbourhoods/<slug:force>/<str:code>/appointments/",
        views.appointments,
        name="appointments",
    ),
]
