from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ourpatch.demo"
    label = "demo"
    verbose_name = "Demonstration force"
