from django.apps import AppConfig


class CitizenFocusConfig(AppConfig):
    name = "ourpatch.citizenfocus"
    label = "citizenfocus"
    verbose_name = "Citizen Focus: surveys and the statutory indicators"
