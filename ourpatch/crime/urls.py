from django.urls import URLPattern

app_name = "crime"

urlpatterns: list[URLPattern] = []
