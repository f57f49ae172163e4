from django.apps import AppConfig


class VictimsConfig(AppConfig):
    name = "ourpatch.victims"
    label = "victims"
    verbose_name = "Victim updates (Contact Counts)"
