from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        # After auth has created this app's permissions (auth is listed first).
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="reporting-sync-roles")
        post_migrate.connect(
            _install_records_version, sender=self, dispatch_uid="reporting-records-version"
        )


def _sync_roles(sender, apps=None, **kwargs) -> None:
    # `flush` (and so every transactional test) sends post_migrate without apps.
    from django.apps import apps as global_apps

    from reporting.roles import sync_roles

    sync_roles(apps or global_apps)


def _install_records_version(sender, using="default", **kwargs) -> None:
    from reporting.caching import install_records_version

    install_records_version(using)
