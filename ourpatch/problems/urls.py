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
    path(
        "staff/neighbourhoods/<slug:force>/<str:code>/problems/",
        views.problems,
        name="problems",
    ),
    path("staff/problems/<int:pk>/", views.problem, name="problem"),
    path("staff/problem-actions/<int:pk>/done/", views.action_done, name="action-done"),
    path("staff/good-practice/", views.library, name="library"),
    path("neighbourhoods/<slug:force>/<str:code>/raise/", views.raise_issue, name="raise-issue"),
]
