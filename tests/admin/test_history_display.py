"""History that reads: values as the report prints them, who changed a figure
and through what, and every time in Alberta's zone with the zone shown."""

import datetime
import re

from django.urls import reverse
from rest_framework.authtoken.models import Token

from reporting import services
from reporting.formatting import format_moment
from reporting.models import Figure
from tests.html_tables import read_tables
from tests.lookups import figure_of

MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2} M[SD]T$")


def test_a_moment_is_shown_in_edmonton_with_its_zone():
    winter = datetime.datetime(2026, 12, 5, 4, 36, tzinfo=datetime.UTC)
    summer = datetime.datetime(2026, 7, 1, 18, 0, tzinfo=datetime.UTC)
    assert format_moment(winter) == "2026-12-04 21:36 MST"
    assert format_moment(summer) == "2026-07-01 12:00 MDT"


def _history_rows(client, figure):
    page = client.get(reverse("admin:reporting_figure_history", args=[figure.pk]))
    assert page.status_code == 200
    return read_tables(page.content.decode())["change-history"].rows[1:]


def test_a_figures_history_reads_as_the_report_does(client, dataset, clerk, administrator):
    clerk.first_name, clerk.last_name = "Jane", "Smith"
    clerk.save()
    figure = figure_of("CFSEU", "est-value-of-drugs-seized", "Q3")
    services.record_figure(
        metric=figure.metric, period=figure.period, value="$2,741,025", user=clerk, source="grid"
    )
    client.force_login(administrator)
    newest, loaded = _history_rows(client, figure)[:2]
    when, change, value, note, who = (cell.text for cell in newest[:5])
    assert MOMENT.match(when), when
    assert (change, value) == ("changed", "$2,725,161 → $2,741,025")
    assert who == "Jane Smith, the entry grid"
    assert loaded[2].text == "$2,725,161"
    assert re.match(r"The shipped dataset \(import #\d+\)", loaded[4].text)
    assert (
        "2725161.00"
        not in client.get(
            reverse("admin:reporting_figure_history", args=[figure.pk])
        ).content.decode()
    )


def test_history_names_the_import_and_its_file(client, dataset, clerk):
    content = b"unit,metric,fiscal_year,period,region,value\nICE,file-intakes,2023-24,Q1,,1334\n"
    outcome = services.import_file(content=content, file_name="ice-q1.csv", user=clerk)
    client.force_login(clerk)
    figure = figure_of("ICE", "file-intakes", "Q1")
    newest = _history_rows(client, figure)[0]
    assert newest[2].text == "680 → 1,334"
    assert newest[4].text == f"bob, import #{outcome.batch.pk} (ice-q1.csv)"


def test_history_names_an_api_token(client, dataset, clerk):
    token = Token.objects.create(user=clerk)
    figure = figure_of("ICE", "file-intakes", "Q2")
    api = client.__class__(HTTP_AUTHORIZATION=f"Token {token.key}")
    url = reverse("api:figure-detail", args=[figure.pk])
    assert api.patch(url, {"value": "700"}, content_type="application/json").status_code == 200
    client.force_login(clerk)
    assert _history_rows(client, figure)[0][4].text == "API token of bob"


def test_a_hand_edit_after_an_import_is_not_credited_to_the_import(dataset, clerk):
    figure = figure_of("ICE", "file-intakes", "Q1")
    assert figure.import_batch is not None  # the shipped dataset wrote it
    services.record_figure(
        metric=figure.metric, period=figure.period, value="681", user=clerk, source="admin"
    )
    assert Figure.objects.get(pk=figure.pk).import_batch is None


def test_the_change_list_of_all_changes_shows_local_times_and_the_path(client, dataset, clerk):
    figure = figure_of("ICE", "file-intakes", "Q1")
    services.record_figure(
        metric=figure.metric, period=figure.period, value="681", user=clerk, source="grid"
    )
    client.force_login(clerk)
    response = client.get(reverse("admin:reporting_historicalfigure_changelist"), {"change": "~"})
    [row] = response.context["cl"].result_list
    admin = response.context["cl"].model_admin
    assert MOMENT.match(admin.when(row))
    assert (admin.who(row), admin.through(row)) == ("bob", "the entry grid")
