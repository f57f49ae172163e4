from django.urls import path

from ourpatch.engagement import views

app_name = "engagement"

urlpatterns = [
    path("staff/neighbourhoods/<slug:force>/<str:code>/meetings/", views.meetings, name="meetings"),
    path("staff/meetings/<int:pk>/record/", views.record, name="record"),
    path(
        "staff/neighbourhoods/<slug:force>/<str:code>/key-individuals/",
        views.key_individuals,
        name="key-individuals",
    ),
    path(
        "neighbourhoods/<slug:force>/<str:code>/how-to-engage/",
        views.preferences,
        name="preferences",
    ),
    path(
        "neighbourhoods/<slug:force>/<str:code>/subscribe/", views.subscribe_view, name="subscribe"
    ),
    path("subscriptions/<str:token>/confirm/", views.confirm_view, name="confirm"),
    path("subscriptions/<str:token>/unsubscribe/", views.unsubscribe_view, name="unsubscribe"),
]
