"""backup / restore carry the whole record into an empty database, exactly.

The round trip is judged by an independent dump (Django's own serializer over
every table of the project's apps and the people), never by the backup's own
export, so a column both sides forgot cannot pass unnoticed.
"""

import json
import threading

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core import serializers
from django.core.management import CommandError, call_command
from django.db import connection, connections

from reporting.backup import WORKING_MODELS, backed_up_models, project_app_labels, take_backup
from reporting.caching import page_key, records_version
from reporting.models import Figure, FiscalYear, ImportBatch, RecordsVersion
from reporting.services import delete_figure, import_file, record_figure
from tests.years import publish
from units.models import Metric, Region, Unit


def _quiet():
    return open("/dev/null", "w")  # noqa: SIM115


@pytest.fixture
def lived_in(dataset, administrator, clerk, leader):
    """The dataset after some ordinary work: notes, corrections, a deletion,
    a rejected import, a report-layout import, catalogue edits, an
    assignment and a locked year."""
    figure = Figure.objects.for_year("2023-24").order_by("pk")[0]
    record_figure(
        metric=figure.metric,
        period=figure.period,
        region=figure.region,
        value="1,234",
        note="Corrected after the Q1 audit.",
        user=clerk,
        source="command",
    )
    delete_figure(figure=Figure.objects.order_by("pk")[1], user=clerk, source="test")
    import_file(
        content=b"unit,metric,fiscal_year,period,region,value,note\nICE,x,2023-24,Q1,,1,\n",
        file_name="bad.csv",
        user=clerk,
        source="command",
    )
    ImportBatch.objects.filter(file_name="bad.csv").update(layout=ImportBatch.Layout.REPORT)
    unit = Unit.objects.get(code="ICE")
    unit.description = "Edited in the admin."
    unit.save()  # a catalogue history record
    unit.data_entry_users.add(clerk)
    currency = Metric.objects.filter(value_type=Metric.ValueType.CURRENCY).first()
    Figure.objects.filter(metric=currency).update(value="9999999999999.99")
    publish(FiscalYear.objects.get(label="2023-24"), user=administrator)


def independent_dump() -> list[dict]:
    """Every row of the project's apps and of the people, by Django's serializer
    (many-to-many as lists on their owners; permissions by natural key), sorted."""
    models = [
        model
        for label in project_app_labels()
        for model in apps.get_app_config(label).get_models()
        if model is not RecordsVersion  # a restore gives the records a new one (below)
    ] + [User, Group]
    rows = serializers.serialize(
        "python",
        (obj for model in models for obj in model._base_manager.order_by("pk")),
        use_natural_foreign_keys=True,
    )
    for row in rows:
        for name, value in row["fields"].items():
            if isinstance(value, list) and not any(isinstance(v, dict) for v in value):
                row["fields"][name] = sorted(value)  # many-to-many, in no order
    return sorted(rows, key=lambda row: (row["model"], str(row["pk"])))


def an_empty_migrated_database() -> None:
    """As `migrate` leaves a new database: no records, only what migrate makes
    (content types, permissions, the roles' groups)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # TRUNCATE refuses pending foreign-key checks
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, stdout=_quiet())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_backup_restores_into_an_empty_database_exactly(lived_in, tmp_path):
    before = independent_dump()
    backup = tmp_path / "backup.json"
    call_command("backup", "-o", str(backup), stdout=_quiet())
    an_empty_migrated_database()
    assert not Unit.objects.exists() and not User.objects.exists()

    call_command("restore", str(backup), stdout=_quiet())

    after = independent_dump()
    assert len(after) == len(before)
    assert after == before
    year = FiscalYear.objects.get(label="2023-24")
    assert year.is_locked and year.locked_by.username == "alice"
    assert User.objects.get(username="carol").check_password("correct horse battery")
    assert ImportBatch.objects.get(file_name="bad.csv").layout == ImportBatch.Layout.REPORT
    assert Unit.history.filter(description="Edited in the admin.").exists()


def test_the_restored_database_takes_new_records(lived_in, tmp_path, clerk):
    backup = tmp_path / "backup.json"
    call_command("backup", "-o", str(backup), stdout=_quiet())
    an_empty_migrated_database()
    call_command("restore", str(backup), stdout=_quiet())

    # The id sequences continue after the restored rows (PostgreSQL).
    Region.objects.create(name="Airdrie", display_order=90)
    batch = ImportBatch.objects.create(file_name="new.csv", status=ImportBatch.Status.DRY_RUN)
    assert batch.pk > ImportBatch.objects.exclude(pk=batch.pk).order_by("-pk")[0].pk


def test_every_concrete_field_of_every_model_is_in_the_backup(lived_in):
    data = take_backup()
    tables = {table["model"]: table for table in data["models"]}
    expected = [
        model
        for label in project_app_labels()
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model._meta.label_lower not in WORKING_MODELS  # held uploads: working files
    ]
    assert {"units", "reporting"} <= set(project_app_labels())
    assert Figure.history.model in expected and Unit.history.model in expected
    for model in expected:
        table = tables[model._meta.label_lower]
        for field in model._meta.concrete_fields:
            assert field.attname in table["fields"], f"{model._meta.label} {field.attname}"
        assert len(table["rows"]) == model._base_manager.count(), model._meta.label
    assert {"auth.user", "auth.group", "auth.user_groups", "auth.group_permissions"} <= set(tables)


def test_figures_are_written_exactly_never_as_floats(lived_in):
    figures = next(t for t in take_backup()["models"] if t["model"] == "reporting.figure")
    value = figures["fields"].index("value")
    assert "9999999999999.99" in [row[value] for row in figures["rows"]]


def test_a_backup_without_people_restores_against_the_users_already_there(lived_in, tmp_path):
    backup = tmp_path / "backup.json"
    call_command("backup", "--without-users", "-o", str(backup), stdout=_quiet())
    data = json.loads(backup.read_text())
    assert "auth.user" not in {t["model"] for t in data["models"]}
    people = {(u.username, u.password) for u in User.objects.all()}
    an_empty_migrated_database()
    with pytest.raises(CommandError, match="refers to user .* database does not have"):
        call_command("restore", str(backup), stdout=_quiet())
    for username, password in people:
        User.objects.create(username=username, password=password)

    call_command("restore", str(backup), stdout=_quiet())

    corrected = Figure.objects.get(note="Corrected after the Q1 audit.")
    assert corrected.updated_by.username == "bob"


def test_restore_refuses_a_database_that_already_holds_records(lived_in, tmp_path):
    backup = tmp_path / "backup.json"
    call_command("backup", "-o", str(backup), stdout=_quiet())
    before = independent_dump()
    with pytest.raises(CommandError, match="already holds records"):
        call_command("restore", str(backup), stdout=_quiet())
    assert independent_dump() == before


def test_a_damaged_backup_restores_nothing(lived_in, tmp_path):
    backup = tmp_path / "backup.json"
    call_command("backup", "-o", str(backup), stdout=_quiet())
    data = json.loads(backup.read_text())
    figures = next(t for t in data["models"] if t["model"] == "reporting.figure")
    figures["rows"][-1][figures["fields"].index("value")] = "-5.00"  # refused by the database
    backup.write_text(json.dumps(data))
    an_empty_migrated_database()

    with pytest.raises(CommandError, match="Nothing was restored"):
        call_command("restore", str(backup), stdout=_quiet())

    assert not Unit.objects.exists()
    assert not Figure.objects.exists()
    assert not Figure.history.exists()
    assert not User.objects.exists()


def test_a_dangling_reference_restores_nothing(lived_in, tmp_path):
    backup = tmp_path / "backup.json"
    call_command("backup", "-o", str(backup), stdout=_quiet())
    data = json.loads(backup.read_text())
    metrics = next(t for t in data["models"] if t["model"] == "units.metric")
    metrics["rows"][0][metrics["fields"].index("unit_id")] = 999_999
    backup.write_text(json.dumps(data))
    an_empty_migrated_database()

    with pytest.raises(CommandError, match="Nothing was restored"):
        call_command("restore", str(backup), stdout=_quiet())

    assert not Metric.objects.exists()


def test_a_backup_of_another_schema_is_refused_by_name(lived_in, tmp_path):
    backup = tmp_path / "backup.json"
    call_command("backup", "-o", str(backup), stdout=_quiet())
    data = json.loads(backup.read_text())
    batches = next(t for t in data["models"] if t["model"] == "reporting.importbatch")
    position = batches["fields"].index("layout")
    del batches["fields"][position]
    for row in batches["rows"]:
        del row[position]
    backup.write_text(json.dumps(data))
    an_empty_migrated_database()

    with pytest.raises(CommandError, match="reporting.importbatch differs: missing layout"):
        call_command("restore", str(backup), stdout=_quiet())


def test_backed_up_models_are_the_project_apps_and_the_people():
    # The held uploads (the uploads app's one model) are working files.
    labels = {model._meta.app_label for model in backed_up_models()}
    assert labels == set(project_app_labels()) - {"uploads"} | {"auth"}
    assert {model._meta.app_label for model in backed_up_models(with_users=False)} == set(
        project_app_labels()
    ) - {"uploads"}


def test_backup_leaves_held_uploads_out(lived_in, administrator):
    from alert.uploads.models import HeldUpload

    HeldUpload.objects.create(name="held", content=b"x" * 1000, size=1000, owner=administrator)
    assert HeldUpload not in backed_up_models()
    tables = [table["model"] for table in take_backup()["models"]]
    assert "figure" in " ".join(tables) and "uploads.heldupload" not in tables


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's one transaction is a snapshot"
)
@pytest.mark.django_db(transaction=True)
def test_the_backup_reads_one_snapshot_while_people_keep_working(published_dataset):
    """A figure written by another connection halfway through the backup is in
    neither its figures nor its history: one REPEATABLE READ transaction."""
    figure = Figure.objects.order_by("pk").first()
    original = figure.value
    import reporting.backup as backup

    real_plain = backup._plain
    done = []

    def change_meanwhile(value):
        if not done:
            done.append(True)

            def write():
                try:
                    Figure.objects.filter(pk=figure.pk).update(value=original + 1)
                    Figure.history.model.objects.filter(id=figure.pk).update(note="changed")
                finally:
                    connections.close_all()

            worker = threading.Thread(target=write)
            worker.start()
            worker.join()
        return real_plain(value)

    backup._plain = change_meanwhile
    try:
        data = take_backup()
    finally:
        backup._plain = real_plain
    assert Figure.objects.get(pk=figure.pk).value == original + 1  # it did change
    tables = {t["model"]: t for t in data["models"]}
    figures = tables["reporting.figure"]
    row = next(r for r in figures["rows"] if r[0] == figure.pk)
    assert row[figures["fields"].index("value")] == str(original)
    history = tables["reporting.historicalfigure"]
    assert "changed" not in {r[history["fields"].index("note")] for r in history["rows"]}


def test_a_restore_gives_the_records_a_new_version(lived_in, tmp_path):
    """Pages of the figures API cached before a restore were keyed by
    versions of other records: the restored records have a version of their
    own, so none of those pages is served after it."""
    backup = tmp_path / "backup.json"
    call_command("backup", "-o", str(backup), stdout=_quiet())
    before = page_key("all", "http://testserver/api/v1/figures/")
    an_empty_migrated_database()
    call_command("restore", str(backup), stdout=_quiet())
    assert records_version() != "none"
    assert page_key("all", "http://testserver/api/v1/figures/") != before
