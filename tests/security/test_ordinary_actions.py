"""Ordinary actions never end in a server error: each answers with a message."""

import io
import json

import pytest
from django.test import Client
from django.urls import reverse

from reporting.models import Figure, FiscalYear, ImportBatch
from tests.years import publish
from units.models import Unit

pytestmark = pytest.mark.usefixtures("media")


def _upload(client, content: bytes, name: str, url: str):
    handle = io.BytesIO(content)
    handle.name = name
    return client.post(reverse(url), {"import_file": handle, "format": "0"})


def _confirm_data(preview) -> dict:
    return {f.name: f.value() for f in preview.context["confirm_form"]}


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_a_second_confirm_of_one_preview_says_which_import_and_writes_nothing(
    dataset, client, clerk
):
    client.force_login(clerk)
    preview = _upload(
        client,
        b"unit,metric,fiscal_year,period,value\r\nICE,file-intakes,2023-24,Q1,700\r\n",
        "one.csv",
        "admin:reporting_figure_import",
    )
    data = _confirm_data(preview)
    url = reverse("admin:reporting_figure_process_import")
    assert client.post(url, data).status_code == 302
    batch = ImportBatch.objects.get(status=ImportBatch.Status.CONFIRMED, file_name="one.csv")
    history = Figure.history.count()

    again = client.post(url, data, follow=True)
    assert again.status_code == 200
    assert f"This preview was already imported (import #{batch.pk})" in " ".join(_messages(again))
    assert ImportBatch.objects.filter(file_name="one.csv", status="confirmed").count() == 1
    assert Figure.history.count() == history


def test_a_confirm_of_a_preview_no_longer_held_is_a_message(dataset, client, clerk):
    client.force_login(clerk)
    response = client.post(
        reverse("admin:reporting_figure_process_import"),
        {"import_file_name": "gone.csv", "original_file_name": "gone.csv", "format": "0"},
        follow=True,
    )
    assert response.status_code == 200
    assert "no longer held" in " ".join(_messages(response))


def _assigned_elsewhere(clerk):
    Unit.objects.get(code="CFSEU").data_entry_users.add(clerk)
    figure = Figure.objects.filter(metric__unit__code="ICE").first()
    return figure, figure.history.first()


def test_a_clerk_opening_the_revert_page_of_another_units_figure_gets_403(dataset, clerk):
    figure, record = _assigned_elsewhere(clerk)
    client = Client(raise_request_exception=False)
    client.force_login(clerk)
    url = reverse("admin:reporting_figure_simple_history", args=[figure.pk, record.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"value": "1"}).status_code == 403


def test_a_clerk_reads_no_history_of_a_figure_of_another_unit(dataset, clerk):
    figure, _ = _assigned_elsewhere(clerk)
    client = Client(raise_request_exception=False)
    client.force_login(clerk)
    assert client.get(reverse("admin:reporting_figure_history", args=[figure.pk])).status_code == (
        403
    )
    own = Figure.objects.filter(metric__unit__code="CFSEU").first()
    assert client.get(reverse("admin:reporting_figure_history", args=[own.pk])).status_code == 200


def test_a_clerk_reverting_a_figure_of_a_locked_year_gets_403(dataset, clerk, administrator):

    publish(FiscalYear.objects.get(label="2023-24"), user=administrator)
    figure = Figure.objects.filter(period__fiscal_year__label="2023-24").first()
    client = Client(raise_request_exception=False)
    client.force_login(clerk)
    url = reverse(
        "admin:reporting_figure_simple_history", args=[figure.pk, figure.history.first().pk]
    )
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("label", ["1899-00", "2999-00"])
def test_an_impossible_fiscal_year_is_a_form_error(label, dataset, client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:reporting_fiscalyear_add"), {"label": label, "status": "open"}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["label"]
    assert "outside the years this system holds: 1900-01 to 2998-99" in errors[0]
    assert not FiscalYear.objects.filter(label=label).exists()


@pytest.mark.parametrize(
    ("url", "content", "expected"),
    [
        ("admin:reporting_fiscalyear_import", b"label,status\r\n1899-00,open\r\n", "1900-01"),
        ("admin:reporting_fiscalyear_import", b"label,status\r\n2999-00,open\r\n", "2998-99"),
        (
            "admin:units_metric_import",
            b"unit,code,label,value_type,display_order\r\nICE,new-one,New,money,9\r\n",
            "not a valid choice",
        ),
        (
            "admin:units_unit_import",
            b"code,name,program,display_order\r\n,Nameless,P,1\r\n",
            "cannot be blank",
        ),
    ],
)
def test_catalogue_import_errors_are_messages_not_database_text(
    url, content, expected, dataset, administrator
):
    client = Client(raise_request_exception=False)
    client.force_login(administrator)
    response = _upload(client, content, "catalogue.csv", url)
    assert response.status_code == 200
    page = response.content.decode()
    for database_text in ("IntegrityError", "constraint", "Traceback", "violates"):
        assert database_text not in page
    assert "confirm_form" not in (response.context or {})
    assert expected in page


def test_an_api_body_over_the_limit_is_a_json_413(dataset, settings, clerk):
    settings.ALERT_IMPORT_MAX_BYTES = 1000
    client = Client(raise_request_exception=False)
    client.force_login(clerk)
    rows = [
        {
            "unit": "ICE",
            "metric": "file-intakes",
            "fiscal_year": "2023-24",
            "period": "Q1",
            "value": 1,
            "note": "x" * 50,
        }
    ] * 20
    response = client.post(
        reverse("api:figure-bulk"), json.dumps(rows), content_type="application/json"
    )
    assert response.status_code == 413
    assert "over the limit" in response.json()["detail"]
