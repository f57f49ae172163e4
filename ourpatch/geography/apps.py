from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "ourpatch.geography"
    label = "geography"
    verbose_name = "Geography: forces, neighbourhoods and areas"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from ourpatch.geography import locate
        from ourpatch.geography.models import Neighbourhood, NeighbourhoodBoundary

        def forget_index(**kwargs: object) -> None:
            # A boundary saved in this process is found by the very next lookup.
            locate.invalidate()

        for model in (Neighbourhood, NeighbourhoodBoundary):
            post_save.connect(
                forget_index, sender=model, weak=False, dispatch_uid=f"locate-{model.__name__}"
            )
            post_delete.connect(
                forget_index, sender=model, weak=False, dispatch_uid=f"locate-del-{model.__name__}"
            )
