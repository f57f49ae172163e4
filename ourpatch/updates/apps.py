from django.apps import AppConfig


class UpdatesConfig(AppConfig):
    name = "ourpatch.updates"
    label = "updates"
    verbose_name = "The monthly neighbourhood update"
