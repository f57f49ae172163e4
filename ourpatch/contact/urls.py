from django.urls import path

from ourpatch.contact import views

app_name = "contact"

urlpatterns = [
    path("neighbourhoods/<slug:force>/<str:code>/messages/", views.messages, name="messages"),
]
