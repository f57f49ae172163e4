from django.urls import path

from ourpatch.citizenfocus import views

app_name = "citizenfocus"

urlpatterns = [
    path("staff/citizen-focus/", views.dashboard, name="citizen-focus"),
    path("staff/citizen-focus/feedback/", views.my_feedback, name="citizen-focus-feedback"),
    path("staff/citizen-focus/recovery/", views.recovery_list, name="citizen-focus-recovery"),
    path(
        "staff/citizen-focus/recovery/<int:pk>/",
        views.recovery_task,
        name="citizen-focus-recovery-task",
    ),
    path(
        "staff/citizen-focus/comments/<slug:force>/<str:code>/",
        views.comments,
        name="citizen-focus-comments",
    ),
    path(
        "staff/citizen-focus/<slug:code>/<slug:table>.csv",
        views.indicator_csv,
        name="citizen-focus-csv",
    ),
    path("staff/citizen-focus/<slug:code>/", views.indicator_page, name="citizen-focus-indicator"),
]
