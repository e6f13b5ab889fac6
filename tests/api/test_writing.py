"""Single-figure writes: the services' validation, locking and history."""

from decimal import Decimal

import pytest
from django.urls import reverse

from reporting.models import Figure, FiscalYear
from tests.years import publish

VALUES = reverse("api:figure-list")


def detail(figure):
    return reverse("api:figure-detail", args=[figure.pk])


def lock(label, administrator):
    publish(FiscalYear.objects.get(label=label), user=administrator)


def test_creating_a_figure_by_natural_keys_records_history_from_the_api(dataset, as_user, clerk):
    response = as_user(clerk).post(
        VALUES,
        {
            "unit": "ICE",
            "metric": "file-intakes",
            "fiscal_year": "2022-23",
            "period": "Q2",
            "region": None,
            "value": "$1,234",
            "note": "from the API",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["fiscal_year"], data["period"], data["region"], data["value"]) == (
        "2022-23",
        "Q2",
        None,
        "1234.00",
    )
    assert data["updated_by"] == "bob"
    figure = Figure.objects.get(pk=data["id"])
    record = figure.history.latest()
    assert (record.history_change_reason, record.history_user) == ("api: session", clerk)
    assert (figure.value, figure.note) == (Decimal(1234), "from the API")


def test_a_regional_figure_names_its_region(dataset, as_user, clerk):
    figure = Figure.objects.regional().with_keys().first()
    response = as_user(clerk).post(
        VALUES,
        {
            "unit": figure.metric.unit.code,
            "metric": figure.metric.code,
            "fiscal_year": "2022-23",
            "period": "FY",
            "region": figure.region.name.lower(),
            "value": 7,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["region"] == figure.region.name


def test_json_numbers_are_read_exactly(dataset, as_user, clerk):
    response = as_user(clerk).post(
        VALUES,
        {
            "unit": "CFSEU",
            "metric": "proceeds-of-crime-seized",
            "fiscal_year": "2022-23",
            "period": "Q1",
            "value": 0.1,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["value"] == "0.10"


def test_updating_a_figure_keeps_history_and_a_patch_can_change_the_note_alone(
    intakes_q1, as_user, clerk
):
    client = as_user(clerk)
    response = client.patch(detail(intakes_q1), {"value": "1,681"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["value"] == "1681.00"
    response = client.patch(detail(intakes_q1), {"note": "revised"}, format="json")
    assert response.json()["value"] == "1681.00" and response.json()["note"] == "revised"
    history = intakes_q1.history.all()
    assert [h.value for h in history[:3]] == [Decimal(1681), Decimal(1681), Decimal(680)]
    assert {h.history_change_reason for h in history[:2]} == {"api: session"}


def test_deleting_a_figure_makes_it_not_reported_and_records_it(intakes_q1, as_user, administrator):
    assert as_user(administrator).delete(detail(intakes_q1)).status_code == 204
    assert not Figure.objects.filter(pk=intakes_q1.pk).exists()
    record = Figure.history.filter(id=intakes_q1.pk).latest()
    assert (record.history_type, record.history_change_reason) == ("-", "api: session")


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("12.5", "not a whole number"),
        ("$2,741025", "thousands separators"),
        ("-4", "negative"),
        ("lots", "not a number"),
        ("", "Enter a figure"),
        (True, "number or as text"),
    ],
)
def test_an_invalid_value_is_a_400_naming_the_value_field(intakes_q1, as_user, clerk, value, words):
    response = as_user(clerk).patch(detail(intakes_q1), {"value": value}, format="json")
    assert response.status_code == 400
    assert words in response.json()["value"][0]
    intakes_q1.refresh_from_db()
    assert intakes_q1.value == Decimal(680)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"unit": "ICX"}, "unit", "There is no unit “ICX”"),
        ({"metric": "intakes"}, "metric", "ICE has no metric “intakes”"),
        ({"fiscal_year": "2030-31"}, "fiscal_year", "has not been set up"),
        ({"period": "Q5"}, "period", "not a valid choice"),
        ({"region": "Atlantis"}, "region", "There is no region “Atlantis”"),
        ({"value": None}, "value", "may not be null"),
    ],
)
def test_an_invalid_new_figure_is_a_400_naming_the_field(
    dataset, as_user, clerk, change, field, words
):
    payload = {
        "unit": "ICE",
        "metric": "file-intakes",
        "fiscal_year": "2022-23",
        "period": "Q1",
        "value": 5,
        **change,
    }
    response = as_user(clerk).post(VALUES, payload, format="json")
    assert response.status_code == 400
    assert words in " ".join(response.json()[field])
    assert not Figure.objects.for_year("2022-23").quarterly().exists()


def test_creating_a_figure_already_on_record_is_refused_with_its_id(intakes_q1, as_user, clerk):
    response = as_user(clerk).post(
        VALUES,
        {
            "unit": "ICE",
            "metric": "file-intakes",
            "fiscal_year": "2023-24",
            "period": "Q1",
            "value": 1,
        },
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["id"] == intakes_q1.pk
    assert f"id {intakes_q1.pk}" in response.json()["detail"]


def test_a_locked_year_refuses_a_clerk_with_409_and_the_reason(
    intakes_q1, as_user, clerk, administrator
):
    lock("2023-24", administrator)
    client = as_user(clerk)
    response = client.patch(detail(intakes_q1), {"value": "1"}, format="json")
    assert response.status_code == 409
    assert "2023-24 was published" in response.json()["detail"]
    assert "Prepare a correction" in response.json()["detail"]
    assert "alice" in response.json()["detail"]
    assert client.delete(detail(intakes_q1)).status_code in (403, 409)
    response = client.post(
        VALUES,
        {
            # A new figure (CFSEU reports charges by region; Q1 by region is unused).
            "unit": "CFSEU",
            "metric": "charges-laid",
            "fiscal_year": "2023-24",
            "period": "Q1",
            "region": "Calgary",
            "value": 1,
        },
        format="json",
    )
    assert response.status_code == 409
    intakes_q1.refresh_from_db()
    assert intakes_q1.value == Decimal(680)


def test_an_administrator_may_not_change_a_published_year(intakes_q1, as_user, administrator):
    lock("2023-24", administrator)
    response = as_user(administrator).patch(detail(intakes_q1), {"value": "681"}, format="json")
    assert response.status_code == 409
    intakes_q1.refresh_from_db()
    assert intakes_q1.value == Decimal(680)
