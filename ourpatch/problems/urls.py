from django.urls import path

from ourpatch.problems import views

app_name = "problems"

urlpatterns = [
    path(
        "staff/neighbourhoods/<slug:force>/<str:code>/priorities/",
        views.priorities,
        name="priorities",
    ),
    path("staff/priorities/<int:pk>/", views.priority_change, name="priority-change"),
    path("neighbourhoods/<slug:force>/<str:code>/raise/", views.raise_issue, name="raise-issue"),
]
