from django.urls import path

from ourpatch.victims import views

app_name = "victims"

urlpatterns = [
    path("staff/victims/", views.victims_list, name="victims"),
    path("staff/victims/new/", views.agreement_new, name="victim-agreement-new"),
    path("staff/victims/<int:pk>/", views.agreement_detail, name="victim-agreement"),
]
