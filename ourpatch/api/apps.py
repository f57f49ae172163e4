from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ourpatch.api"
    label = "api"
    verbose_name = "APIs: police.uk-compatible and ourpatch's own (v1)"
