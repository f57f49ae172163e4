from django.urls import path

from ourpatch.contact import views

app_name = "contact"

urlpatterns = [
    # the team inbox (the name is older than the inbox: links across the site use it)
    path("neighbourhoods/<slug:force>/<str:code>/messages/", views.messages, name="messages"),
    path("messages/<str:reference>/", views.message_page, name="message"),
    path("team/<int:pk>/away/", views.member_away, name="member-away"),
]
