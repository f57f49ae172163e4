from django.urls import URLPattern

app_name = "citizenfocus"

urlpatterns: list[URLPattern] = []
