from django.apps import AppConfig


class DissatisfactionConfig(AppConfig):
    name = "ourpatch.dissatisfaction"
    label = "dissatisfaction"
    verbose_name = "Expressions of dissatisfaction"
