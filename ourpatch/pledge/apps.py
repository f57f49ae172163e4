from django.apps import AppConfig


class PledgeConfig(AppConfig):
    name = "ourpatch.pledge"
    label = "pledge"
    verbose_name = "The Policing Pledge, measured and explained"
