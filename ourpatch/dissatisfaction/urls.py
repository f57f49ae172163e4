from django.urls import path, re_path

from ourpatch.dissatisfaction import views

app_name = "dissatisfaction"

urlpatterns = [
    path("neighbourhoods/<slug:force>/<str:code>/not-happy/", views.not_happy, name="not-happy"),
    path(
        "neighbourhoods/<slug:force>/<str:code>/not-happy/sent/",
        views.not_happy_sent,
        name="not-happy-sent",
    ),
    path("staff/dissatisfaction/", views.dissatisfaction_list, name="dissatisfaction-list"),
    path("staff/dissatisfaction/new/", views.dissatisfaction_new, name="dissatisfaction-new"),
    path(
        "staff/dissatisfaction/trends/",
        views.dissatisfaction_trends,
        name="dissatisfaction-trends",
    ),
    path(
        "staff/dissatisfaction/trends/<slug:table>.csv",
        views.dissatisfaction_trends_csv,
        name="dissatisfaction-trends-csv",
    ),
    re_path(
        r"^staff/dissatisfaction/(?P<reference>D-[A-Z2-9]{8})/$",
        views.dissatisfaction_detail,
        name="dissatisfaction-detail",
    ),
]
