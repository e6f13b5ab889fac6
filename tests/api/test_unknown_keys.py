"""Every API write refuses a key it does not know, naming the closest known one."""

import pytest
from django.urls import reverse

from reporting.models import Figure

ROW = {"unit": "CFSEU", "metric": "charges-laid", "fiscal_year": "2023-24", "period": "FY"}


def test_a_bulk_row_with_a_misspelt_region_is_refused_and_nothing_changes(dataset, as_user, clerk):
    before = dict(Figure.objects.values_list("pk", "value"))
    response = as_user(clerk).post(
        reverse("api:figure-bulk"), [{**ROW, "regoin": "Calgary", "value": 1}], format="json"
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["row"], error["field"]) == (1, "regoin")
    assert "Did you mean “region”?" in error["message"]
    assert dict(Figure.objects.values_list("pk", "value")) == before


def test_a_single_create_with_an_unknown_key_is_refused(dataset, as_user, clerk):
    response = as_user(clerk).post(
        reverse("api:figure-list"),
        {**ROW, "fiscal_year": "2022-23", "period": "Q1", "value": 1, "nots": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "Did you mean “note”?" in response.json()["nots"][0]


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_change_with_an_unknown_key_is_refused(method, dataset, as_user, clerk):
    figure = Figure.objects.filter(region__isnull=True).first()
    response = getattr(as_user(clerk), method)(
        reverse("api:figure-detail", args=[figure.pk]), {"valeu": 1, "value": 2}, format="json"
    )
    assert response.status_code == 400
    assert "Did you mean “value”?" in response.json()["valeu"][0]
    assert Figure.objects.get(pk=figure.pk).value == figure.value
