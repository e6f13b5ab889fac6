"""Releases hold the whole published page (canonical JSON and its SHA-256);
releases and the publication log become insert-only in the database too;
who published is protected; a published year may no longer be changed by
anyone (the change_locked_year permission goes)."""

import hashlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from reporting import insert_only
from reporting.releases import canonical_json


def figures_into_content(apps, schema_editor):
    """Releases made before this migration kept only their figures: their
    content is those figures (no page), with its digest."""
    Release = apps.get_model("reporting", "Release")
    for release in Release._base_manager.select_related("fiscal_year").order_by("pk"):
        content = canonical_json(
            {
                "format": 1,
                "fiscal_year": release.fiscal_year.label,
                "release": {
                    "number": release.number,
                    "published_at": release.published_at.isoformat(),
                    "reason": release.reason,
                    "published_as": "",
                    "published_on": None,
                },
                "summary": None,
                "figures": release.figures,
                "prior_years": [],
                "published_totals": [],
            }
        )
        Release._base_manager.filter(pk=release.pk).update(
            content=content, sha256=hashlib.sha256(content.encode()).hexdigest()
        )


def install_triggers(apps, schema_editor):
    insert_only.install(schema_editor)


def remove_triggers(apps, schema_editor):
    insert_only.remove(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0012_narrative_overview"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="release",
            name="content",
            field=models.TextField(default="", help_text="The published page as canonical JSON."),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="release",
            name="sha256",
            field=models.CharField(default="", max_length=64, verbose_name="SHA-256"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="release",
            name="published_as",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="release",
            name="published_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(figures_into_content, migrations.RunPython.noop),
        migrations.RemoveField(model_name="release", name="figures"),
        migrations.AlterField(
            model_name="release",
            name="published_by",
            field=models.ForeignKey(
                blank=True,
                help_text="Who published it; a person who published is deactivated, never deleted.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="publicationevent",
            name="by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="publicationevent",
            name="action",
            field=models.CharField(
                choices=[("published", "Published"), ("unpublished", "Correction prepared")],
                max_length=12,
            ),
        ),
        migrations.AlterModelOptions(
            name="fiscalyear",
            options={
                "ordering": ["-start_year"],
                "permissions": [
                    ("lock_fiscalyear", "Can publish fiscal years and prepare their corrections")
                ],
            },
        ),
        # Last: on SQLite the operations above rebuild the tables, dropping triggers.
        migrations.RunPython(install_triggers, remove_triggers),
    ]
