"""The central record is called what its users call it: a figure."""

from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion


def rename_permissions(apps, schema_editor):
    # Groups keep their rights: the codenames follow the model's new name.
    Permission = apps.get_model("auth", "Permission")
    for permission in Permission.objects.filter(codename__endswith="_metricvalue"):
        codename = permission.codename.replace("_metricvalue", "_figure")
        if Permission.objects.filter(
            content_type=permission.content_type, codename=codename
        ).exists():
            continue
        permission.codename = codename
        permission.name = permission.name.replace("metric value", "figure")
        permission.save(update_fields=["codename", "name"])


def restore_permissions(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for permission in Permission.objects.filter(codename__endswith="_figure"):
        permission.codename = permission.codename.replace("_figure", "_metricvalue")
        permission.save(update_fields=["codename"])


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reporting", "0003_import_batch_layout"),
        ("units", "0003_catalogue_history"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("MetricValue", "Figure"),
        migrations.RenameModel("HistoricalMetricValue", "HistoricalFigure"),
        migrations.AlterModelOptions(
            name="historicalfigure",
            options={
                "get_latest_by": ("history_date", "history_id"),
                "ordering": ("-history_date", "-history_id"),
                "verbose_name": "historical figure",
                "verbose_name_plural": "historical figures",
            },
        ),
        migrations.AlterField(
            model_name="figure",
            name="import_batch",
            field=models.ForeignKey(
                blank=True,
                help_text="The import that last wrote this figure.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="figures",
                to="reporting.importbatch",
            ),
        ),
        migrations.AlterField(
            model_name="figure",
            name="metric",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="figures",
                to="units.metric",
            ),
        ),
        migrations.AlterField(
            model_name="figure",
            name="period",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="figures",
                to="reporting.reportingperiod",
            ),
        ),
        migrations.AlterField(
            model_name="figure",
            name="region",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty for a unit-wide figure.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="figures",
                to="units.region",
            ),
        ),
        migrations.RunPython(rename_permissions, restore_permissions),
    ]
