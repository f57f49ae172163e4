from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "ourpatch.geography"
    label = "geography"
    verbose_name = "Geography: forces, neighbourhoods and areas"
