from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "ourpatch.calls"
    label = "calls"
    verbose_name = "Calls for service, attendance and appointments"
