from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "ourpatch.worker"
    label = "worker"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        # each app's jobs.py registers its handlers and schedule
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")
