from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "ourpatch.teams"
    label = "teams"
    verbose_name = "Neighbourhood teams"
