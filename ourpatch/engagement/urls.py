from django.urls import path

from ourpatch.engagement import views

app_name = "engagement"

urlpatterns = [
    path("neighbourhoods/<slug:force>/<str:code>/meetings/", views.meetings, name="meetings"),
    path("meetings/<int:pk>/record/", views.record, name="record"),
]
