"""A regional figure for a metric that is not reported by region is refused on every path."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from reporting import services
from reporting.models import Figure, FiscalYear, ReportingPeriod
from units.models import Metric, Region

# ICE's file intakes have no regional heading; CFSEU's charges laid have one.
NOT_REGIONAL = {"unit": "ICE", "metric": "file-intakes", "fiscal_year": "2023-24", "period": "FY"}


@pytest.fixture
def calgary(dataset) -> Region:
    return Region.objects.get(name="Calgary")


def _regional_count() -> int:
    return Figure.objects.filter(metric__regional_label="", region__isnull=False).count()


def test_the_shipped_metrics_say_which_are_reported_by_region(dataset):
    assert not Metric.objects.get(unit__code="ICE", code="file-intakes").regional_label
    assert Metric.objects.get(unit__code="CFSEU", code="charges-laid").regional_label


def test_the_service_refuses_it(calgary, administrator):
    with pytest.raises(ValidationError) as refused:
        services.record_figure(
            metric=Metric.objects.get(unit__code="ICE", code="file-intakes"),
            period=ReportingPeriod.objects.get(fiscal_year__label="2023-24", period="FY"),
            region=calgary,
            value=5,
            user=administrator,
        )
    assert "does not report “File intakes” by region" in str(refused.value.message_dict["region"])
    assert _regional_count() == 0


def test_a_file_row_is_refused_with_its_code(calgary, administrator):
    outcome = services.import_file(
        content=b"unit,metric,fiscal_year,period,region,value\n"
        b"ICE,file-intakes,2023-24,FY,Calgary,5\n",
        file_name="regional.csv",
        user=administrator,
    )
    assert not outcome.written
    assert [p.code for p in outcome.rows[0].problems] == ["not_regional"]
    assert _regional_count() == 0


@pytest.mark.parametrize("path", ["create", "bulk"])
def test_the_api_refuses_it(path, calgary, administrator):
    client = APIClient()
    client.force_login(administrator)
    row = {**NOT_REGIONAL, "region": "Calgary", "value": 5}
    if path == "create":
        response = client.post(reverse("api:figure-list"), row, format="json")
        assert "by region" in response.json()["region"][0]
    else:
        response = client.post(reverse("api:figure-bulk"), [row], format="json")
        assert response.json()["errors"][0]["field"] == "region"
    assert response.status_code == 400
    assert _regional_count() == 0


def test_the_admin_add_form_refuses_it(calgary, client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:reporting_figure_add"),
        {
            "metric": Metric.objects.get(unit__code="ICE", code="file-intakes").pk,
            "period": ReportingPeriod.objects.get(fiscal_year__label="2022-23", period="Q1").pk,
            "region": calgary.pk,
            "value": "5",
            "note": "",
        },
    )
    assert response.status_code == 200
    assert "by region" in str(response.context["adminform"].form.errors["region"])
    assert _regional_count() == 0


def test_the_grid_offers_no_regional_cell_and_ignores_a_forged_one(calgary, client, administrator):
    client.force_login(administrator)
    metric = Metric.objects.get(unit__code="ICE", code="file-intakes")
    url = reverse(
        "admin:reporting_figure_grid",
        args=[metric.unit_id, FiscalYear.objects.get(label="2023-24").pk],
    )
    assert client.post(url, {f"r-{metric.pk}-{calgary.pk}": "5"}).status_code == 302
    assert _regional_count() == 0
