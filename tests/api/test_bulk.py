"""The bulk upsert: the import pipeline behind a JSON list, all or nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from reporting.api import views
from reporting.models import Figure, FiscalYear, ImportBatch
from tests.years import publish

BULK = reverse("api:figure-bulk")


def row(metric="file-intakes", period="Q1", value="10", **more):
    return {
        "unit": "ICE",
        "metric": metric,
        "fiscal_year": "2022-23",
        "period": period,
        "value": value,
        **more,
    }


def payload():
    return [row(period=q, value=str(100 + n)) for n, q in enumerate(["Q1", "Q2", "Q3", "Q4"])]


def in_2022_23():
    return Figure.objects.for_year("2022-23").quarterly()


def test_bulk_upsert_writes_every_row_with_provenance_and_history(dataset, as_user, clerk):
    response = as_user(clerk).post(BULK, payload(), format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["written"] is True and data["dry_run"] is False
    assert data["counts"] == {"new": 4, "update": 0, "unchanged": 0, "skip": 0, "error": 0}
    assert [r["row"] for r in data["rows"]] == [1, 2, 3, 4]
    batch = ImportBatch.objects.get(pk=data["batch"])
    assert (batch.source, batch.file_name, batch.user, batch.status) == (
        "api",
        "API request",
        clerk,
        "confirmed",
    )
    figures = in_2022_23().order_by("period__period")
    assert [f.value for f in figures] == [Decimal(100), Decimal(101), Decimal(102), Decimal(103)]
    assert {f.import_batch_id for f in figures} == {batch.pk}
    record = figures[0].history.latest()
    assert record.history_user == clerk
    assert record.history_change_reason == f"import #{batch.pk}: API request"


def test_the_same_payload_twice_leaves_everything_unchanged(dataset, as_user, clerk):
    client = as_user(clerk)
    client.post(BULK, payload(), format="json")
    history = Figure.history.count()
    data = client.post(BULK, payload(), format="json").json()
    assert data["counts"]["unchanged"] == 4
    assert data["counts"]["new"] == data["counts"]["update"] == 0
    assert {r["action"] for r in data["rows"]} == {"unchanged"}
    assert Figure.history.count() == history


def test_an_error_in_the_last_item_writes_nothing(dataset, as_user, clerk):
    rows = [*payload(), row(period="FY", value="12.5")]
    response = as_user(clerk).post(BULK, rows, format="json")
    assert response.status_code == 400
    data = response.json()
    assert data["errors"] == [
        {
            "row": 5,
            "field": "value",
            "message": "12.5 is not a whole number: this metric is a count. "
            "Enter a whole number such as 12.",
        }
    ]
    assert "row 5, field “value”" in data["detail"]
    assert not in_2022_23().exists()
    assert ImportBatch.objects.get(pk=data["batch"]).status == "rejected"


def test_messages_name_the_row_and_the_field(dataset, as_user, clerk):
    rows = [
        row(),
        {**row(), "unit": "ICX"},
        row(metric="intakes"),
        {**row(), "fiscal_year": "2022-24"},
        row(period="Q9"),
        row(region="Atlantis"),
    ]
    data = as_user(clerk).post(BULK, rows, format="json").json()
    fields = {(e["row"], e["field"]) for e in data["errors"]}
    assert fields == {
        (2, "unit"),
        (3, "metric"),
        (4, "fiscal_year"),
        (5, "period"),
        (6, "region"),
    }


def test_a_badly_shaped_item_is_refused_before_the_pipeline_naming_row_and_field(
    dataset, as_user, clerk
):
    batches = ImportBatch.objects.count()
    rows = [row(), {"unit": "ICE", "metric": "file-intakes", "period": "Q1", "value": [1]}, 3]
    response = as_user(clerk).post(BULK, rows, format="json")
    assert response.status_code == 400
    assert {(e["row"], e["field"]) for e in response.json()["errors"]} == {
        (2, "fiscal_year"),
        (2, "value"),
        (3, "item"),
    }
    assert ImportBatch.objects.count() == batches


@pytest.mark.parametrize("item", [None, 3, "ICE", [1]])
def test_an_item_that_is_not_an_object_is_refused_naming_its_row(dataset, as_user, clerk, item):
    response = as_user(clerk).post(BULK, [row(), item], format="json")
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(2, "item")]


def test_a_body_that_is_not_a_list_is_refused(dataset, as_user, clerk):
    response = as_user(clerk).post(BULK, row(), format="json")
    assert response.status_code == 400
    assert "JSON list" in response.json()["detail"]


def test_a_dry_run_reports_and_writes_nothing(dataset, as_user, clerk):
    response = as_user(clerk).post(f"{BULK}?dry_run=true", payload(), format="json")
    data = response.json()
    assert response.status_code == 200
    assert (data["dry_run"], data["written"], data["counts"]["new"]) == (True, False, 4)
    assert not in_2022_23().exists()
    assert ImportBatch.objects.get(pk=data["batch"]).status == "dry_run"


def test_a_blank_value_is_not_reported_and_skipped(dataset, as_user, clerk):
    data = (
        as_user(clerk)
        .post(BULK, [row(value=None), row(period="Q2", value="")], format="json")
        .json()
    )
    assert data["counts"]["skip"] == 2
    assert not in_2022_23().exists()


def test_updates_and_notes_go_through_the_pipeline(intakes_q1, as_user, clerk):
    rows = [{**row(value="700", note="revised"), "fiscal_year": "2023-24"}]
    data = as_user(clerk).post(BULK, rows, format="json").json()
    assert data["counts"]["update"] == 1
    intakes_q1.refresh_from_db()
    assert (intakes_q1.value, intakes_q1.note) == (Decimal(700), "revised")


def test_a_locked_year_refuses_the_whole_request_with_409(dataset, as_user, clerk, administrator):
    publish(FiscalYear.objects.get(label="2022-23"), user=administrator)
    response = as_user(clerk).post(BULK, payload(), format="json")
    assert response.status_code == 409
    data = response.json()
    assert {e["field"] for e in data["errors"]} == {"fiscal_year"}
    assert "2022-23 was published" in data["errors"][0]["message"]
    assert not in_2022_23().exists()


def test_the_status_follows_the_problems_codes_not_their_wording(
    dataset, as_user, clerk, administrator, monkeypatch
):
    publish(FiscalYear.objects.get(label="2022-23"), user=administrator)

    run_import = views.run_import

    def reworded(*args, **kwargs):
        outcome = run_import(*args, **kwargs)
        for planned in outcome.rows:
            for problem in planned.problems:
                problem.message = "Closed for the season."
        return outcome

    monkeypatch.setattr(views, "run_import", reworded)
    response = as_user(clerk).post(BULK, payload(), format="json")
    assert response.status_code == 409
    assert {e["message"] for e in response.json()["errors"]} == {"Closed for the season."}


def test_a_locked_year_and_bad_data_together_are_a_400(dataset, as_user, clerk, administrator):
    publish(FiscalYear.objects.get(label="2022-23"), user=administrator)
    response = as_user(clerk).post(BULK, [*payload(), row(value="x")], format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("raw", ["maybe", "2"])
def test_dry_run_must_be_true_or_false(dataset, as_user, clerk, raw):
    response = as_user(clerk).post(f"{BULK}?dry_run={raw}", payload(), format="json")
    assert response.status_code == 400
    assert "dry_run" in response.json()["detail"]


def test_too_many_rows_are_refused(dataset, as_user, clerk, settings):
    settings.ALERT_API_BULK_MAX_ROWS = 3
    response = as_user(clerk).post(BULK, payload(), format="json")
    assert response.status_code == 400
    assert "at most 3 rows" in response.json()["detail"]
