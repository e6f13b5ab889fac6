"""Every path that writes a figure leaves who, when, old and new value, and the source."""

from decimal import Decimal

from django.core.management import call_command
from django.urls import reverse

from reporting import services
from reporting.models import Figure
from tests.lookups import figure_of


def _latest(unit="ICE", metric="file-intakes", period="Q1"):
    return (
        Figure.history.filter(
            metric__unit__code=unit,
            metric__code=metric,
            period__period=period,
            period__fiscal_year__label="2023-24",
            region__isnull=True,
        )
        .order_by("-history_id")
        .first()
    )


def test_the_services_write_history(dataset, clerk):
    figure = figure_of("ICE", "file-intakes", "Q1")
    services.record_figure(
        metric=figure.metric, period=figure.period, value="690", user=clerk, source="api"
    )
    record = _latest()
    assert (record.history_type, record.value, record.history_user) == ("~", 690, clerk)
    assert record.history_change_reason == "api"
    services.delete_figure(figure=figure_of("ICE", "file-intakes", "Q1"), user=clerk, source="api")
    assert _latest().history_type == "-"


def test_an_import_writes_history_naming_the_file(dataset, clerk):
    content = (
        b"unit,metric,fiscal_year,period,region,value,note\nICE,file-intakes,2023-24,Q1,,681,\n"
    )
    outcome = services.import_file(content=content, file_name="q1-fix.csv", user=clerk)
    assert outcome.written
    record = _latest()
    assert (record.value, record.history_user, record.import_batch) == (
        Decimal(681),
        clerk,
        outcome.batch,
    )
    assert "q1-fix.csv" in record.history_change_reason


def test_the_import_command_writes_history(dataset, tmp_path, administrator):
    path = tmp_path / "fix.csv"
    path.write_text(
        "unit,metric,fiscal_year,period,region,value,note\nICE,file-intakes,2023-24,Q1,,682,\n"
    )
    call_command("import_values", str(path), user="alice", stdout=open("/dev/null", "w"))  # noqa: SIM115
    record = _latest()
    assert (record.value, record.history_user) == (Decimal(682), administrator)
    assert "fix.csv" in record.history_change_reason


def test_the_history_list_shows_old_and_new_values_across_figures(dataset, client, clerk):
    figure = figure_of("CFSEU", "est-value-of-drugs-seized", "Q3")
    services.record_figure(
        metric=figure.metric, period=figure.period, value="$2,725,162", user=clerk, source="admin"
    )
    client.force_login(clerk)
    url = reverse("admin:reporting_historicalfigure_changelist")
    response = client.get(url, {"change": "~"})
    [row] = response.context["cl"].result_list
    admin = response.context["cl"].model_admin
    assert (admin.old_value(row), admin.new_value(row)) == ("$2,725,161", "$2,725,162")
    assert admin.change_type(row) == "changed"
    assert "bob" in response.content.decode()
    by_user = client.get(url, {"history_user__id__exact": clerk.pk})
    assert by_user.context["cl"].result_count == 1
    by_unit = client.get(url, {"metric__unit__id__exact": figure.metric.unit_id})
    assert by_unit.context["cl"].result_count == 35 + 40 + 1  # loaded, regional, the change
