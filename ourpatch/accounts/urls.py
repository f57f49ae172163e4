from django.contrib.auth import views as auth_views
from django.urls import path

from ourpatch.accounts import views

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.dashboard, name="dashboard"),
    path("scope.json", views.scope_json, name="scope-json"),
    path("accounts/", views.account_list, name="account-list"),
]
