from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from units import signals  # noqa: F401 - connects the cache invalidation
