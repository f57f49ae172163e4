from django.apps import AppConfig


class ContactConfig(AppConfig):
    name = "ourpatch.contact"
    label = "contact"
    verbose_name = "Contact: messages, calls and the Policing Pledge"
