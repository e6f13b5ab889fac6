"""take_backup / restore round-trip the whole record into an empty database."""

import json

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection

from reporting.backup import take_backup
from reporting.findings import year_findings
from reporting.models import (
    Figure,
    FiscalYear,
    ImportBatch,
    NarrativeBlock,
    PublicationEvent,
    PublishedTotal,
    Release,
    ReportingPeriod,
)
from reporting.publication import finding_key
from reporting.services import (
    delete_figure,
    import_file,
    publish_year,
    record_figure,
)
from units.models import Metric, Region, Unit


def _quiet():
    return open("/dev/null", "w")  # noqa: SIM115


@pytest.fixture
def lived_in(dataset, administrator, clerk, leader):
    """The dataset after some ordinary work: notes, corrections, a deletion,
    a rejected import and a published year (its release and the log)."""
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
    year = FiscalYear.objects.get(label="2023-24")
    publish_year(
        fiscal_year=year,
        user=administrator,
        acknowledgements={finding_key(f): "As audited." for f in year_findings(year)},
    )


def _empty_the_database():
    # Releases and the log refuse deletion through the ORM; a test empties the tables.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {PublicationEvent._meta.db_table}")
        cursor.execute(f"DELETE FROM {Release._meta.db_table}")
    Figure.objects.all().delete()
    NarrativeBlock.objects.all().delete()
    PublishedTotal.objects.all().delete()
    ImportBatch.objects.all().delete()
    ReportingPeriod.objects.all().delete()
    FiscalYear.objects.all().delete()
    Metric.objects.all().delete()
    Unit.objects.all().delete()
    Region.objects.all().delete()
    User.objects.all().delete()
    Figure.history.all().delete()  # last: the deletions above are recorded too
    FiscalYear.history.all().delete()


def test_backup_restores_into_an_empty_database_with_zero_differences(lived_in, tmp_path):
    before = take_backup()
    backup = tmp_path / "backup.json"
    call_command("backup", "-o", str(backup), stdout=_quiet())
    _empty_the_database()
    assert take_backup()["values"] == []

    call_command("restore", str(backup), stdout=_quiet())

    assert take_backup() == before
    year = FiscalYear.objects.get(label="2023-24")
    assert year.is_locked and year.locked_by.username == "alice"
    release = Release.objects.get(fiscal_year=year)
    assert (release.number, release.published_by.username) == (1, "alice")
    assert release.figures == before["releases"][0]["figures"] and release.figures
    event = PublicationEvent.objects.get(fiscal_year=year)
    assert (event.action, event.release, event.by.username) == ("published", release, "alice")
    corrected = Figure.objects.get(note="Corrected after the Q1 audit.")
    assert corrected.value == 1234
    assert corrected.updated_by.username == "bob"
    assert ImportBatch.objects.filter(status=ImportBatch.Status.REJECTED).count() == 1
    assert Figure.objects.filter(import_batch__file_name="annual-report-2023-24.csv").exists()
    assert User.objects.get(username="carol").check_password("correct horse battery")


def test_backup_file_holds_natural_keys_and_no_database_ids(lived_in, tmp_path):
    backup = tmp_path / "backup.json"
    call_command("backup", "-o", str(backup), stdout=_quiet())
    data = json.loads(backup.read_text())
    figure = data["values"][0]
    assert set(figure) == {
        "metric",
        "period",
        "region",
        "value",
        "note",
        "batch",
        "updated_at",
        "updated_by",
    }
    assert "id" not in json.dumps(list(data["units"][0])) and "pk" not in data["units"][0]
    assert figure["metric"][0] in {u["code"] for u in data["units"]}


def test_restore_refuses_a_database_that_already_holds_records(lived_in, tmp_path):
    backup = tmp_path / "backup.json"
    call_command("backup", "-o", str(backup), stdout=_quiet())
    before = take_backup()
    with pytest.raises(CommandError, match="already holds records"):
        call_command("restore", str(backup), stdout=_quiet())
    assert take_backup() == before


def test_a_damaged_backup_restores_nothing(lived_in, tmp_path):
    backup = tmp_path / "backup.json"
    call_command("backup", "-o", str(backup), stdout=_quiet())
    data = json.loads(backup.read_text())
    data["values"][-1]["value"] = "-5.00"  # the database refuses a negative figure
    backup.write_text(json.dumps(data))
    _empty_the_database()

    with pytest.raises(CommandError, match="Nothing was restored"):
        call_command("restore", str(backup), stdout=_quiet())

    assert not Unit.objects.exists()
    assert not Figure.objects.exists()
    assert not Figure.history.exists()
