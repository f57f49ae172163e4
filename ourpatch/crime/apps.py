from django.apps import AppConfig


class CrimeConfig(AppConfig):
    name = "ourpatch.crime"
    label = "crime"
    verbose_name = "Crime and anti-social behaviour"
