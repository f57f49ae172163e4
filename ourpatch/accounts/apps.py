from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ourpatch.accounts"
    label = "accounts"
    verbose_name = "Staff accounts and roles"
