from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _install_input_triggers(sender: AppConfig, using: str, **kwargs: Any) -> None:
    # after every migrate: a migration that rebuilt a table on SQLite dropped its triggers
    from ourpatch.pledge.inputs import install_triggers

    install_triggers(connections[using])


class PledgeConfig(AppConfig):
    name = "ourpatch.pledge"
    label = "pledge"
    verbose_name = "The Policing Pledge, measured and explained"

    def ready(self) -> None:
        post_migrate.connect(_install_input_triggers, sender=self)
