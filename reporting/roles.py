"""The roles, as Django groups with permissions.

Kept in sync after every ``migrate`` (see ReportingConfig.ready), so a new
database, a test database and an upgraded one all have them.
"""

from django.apps import apps as global_apps

ADMINISTRATORS = "Administrators"
DATA_ENTRY = "Data entry"
LEADERSHIP = "Leadership"

CATALOGUE_MODELS = ["units.unit", "units.metric", "units.region"]
RECORD_MODELS = [
    "reporting.fiscalyear",
    "reporting.reportingperiod",
    "reporting.figure",
    "reporting.importbatch",
    "reporting.unitquarter",
]


def _codes(models: list[str], actions: list[str]) -> set[tuple[str, str]]:
    return {
        (label.split(".")[0], f"{action}_{label.split('.')[1]}")
        for label in models
        for action in actions
    }


def role_permissions() -> dict[str, set[tuple[str, str]] | None]:
    """Each role's permissions as (app_label, codename); None means every permission."""
    read_all = _codes(CATALOGUE_MODELS + RECORD_MODELS, ["view"])
    return {
        ADMINISTRATORS: None,
        DATA_ENTRY: read_all
        | _codes(["reporting.figure"], ["add", "change", "delete"])
        | {("reporting", "submit_unitquarter")},
        # Leadership reads every unit; Administrators hold every permission.
        LEADERSHIP: read_all | {("units", "every_unit")},
    }


def sync_roles(apps=global_apps, **kwargs) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in role_permissions().items():
        group, _ = Group.objects.get_or_create(name=name)
        if wanted is None:
            permissions = Permission.objects.all()
        else:
            permissions = [
                p
                for p in Permission.objects.select_related("content_type")
                if (p.content_type.app_label, p.codename) in wanted
            ]
        group.permissions.set(permissions)
