from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ourpatch.web"
    label = "web"
    verbose_name = "Public site"
