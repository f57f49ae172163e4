from django.urls import path

from ourpatch.teams import views

app_name = "teams"

urlpatterns = [
    path("neighbourhoods/<slug:force>/<str:code>/", views.neighbourhood, name="neighbourhood"),
    path("team/<int:pk>/edit/", views.member_edit, name="member-edit"),
    path("bases/<int:pk>/edit/", views.base_edit, name="base-edit"),
]
