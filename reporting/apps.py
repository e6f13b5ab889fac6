from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        from simple_history.signals import post_create_historical_record

        from reporting.caching import PAGE_READS

        # After auth has created this app's permissions (auth is listed first).
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="reporting-sync-roles")
        # Every saved or deleted row of what the figures API lists writes a
        # history record in the write's transaction; the bulk writes call
        # records_changed themselves (FigureQuerySet.record_history).
        for model in PAGE_READS:
            post_create_historical_record.connect(
                _records_changed,
                sender=model.history.model,
                dispatch_uid=f"reporting-records-changed-{model._meta.label_lower}",
            )


def _sync_roles(sender, apps=None, **kwargs) -> None:
    # `flush` (and so every transactional test) sends post_migrate without apps.
    from django.apps import apps as global_apps

    from reporting.roles import sync_roles

    sync_roles(apps or global_apps)


def _records_changed(sender, using=None, **kwargs) -> None:
    from reporting.models import records_changed

    records_changed(using or "default")
