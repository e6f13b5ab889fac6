"""The entry grid in a real browser: a clerk signs in, corrects a cell, sees it saved."""

import pytest
from django.urls import reverse

from reporting.models import Figure, FiscalYear
from units.models import Unit


@pytest.mark.django_db(transaction=True)
def test_a_clerk_corrects_a_quarter_in_the_grid(live_server, page, dataset, clerk):
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("input[name=username]", "bob")
    page.fill("input[name=password]", "correct horse battery")
    page.click("input[type=submit]")
    page.click("text=Entry grid")
    page.select_option("#id_unit", label="ICE — Internet Child Exploitation")
    page.click("input[value='Open grid']")
    ice = Unit.objects.get(code="ICE")
    intakes = ice.metrics.get(code="file-intakes")
    cell = page.locator(f"#id_v-{intakes.pk}-Q1")
    assert cell.input_value() == "680"
    cell.fill("12.5")
    page.locator("input[value='Save ICE figures']").last.click()
    assert "not a whole number" in page.locator(".has-error").inner_text()
    page.locator(f"#id_v-{intakes.pk}-Q1").fill("690")
    page.locator("input[value='Save ICE figures']").last.click()
    assert "1 figure recorded" in page.locator(".messagelist").inner_text()
    year = FiscalYear.objects.get(label="2023-24")
    figure = Figure.objects.get(metric=intakes, period__fiscal_year=year, period__period="Q1")
    assert figure.value == 690
    assert figure.history.first().history_change_reason == "grid"
