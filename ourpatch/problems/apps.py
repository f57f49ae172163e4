from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "ourpatch.problems"
    label = "problems"
    verbose_name = "Priorities and joint problem solving"
