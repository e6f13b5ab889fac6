"""Staff see the year's data-quality findings on the summary; leadership does not."""

import pytest
from django.urls import reverse

from reporting.models import Figure

SUMMARY = reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"})


def section(page: str, unit: str) -> str:
    part = page[page.index(f'id="unit-{unit}"') :]
    return part[: part.index("</section>")]


@pytest.mark.parametrize("role", ["administrator", "clerk"])
def test_staff_see_findings_under_their_unit_linking_to_the_admin(client, dataset, request, role):
    client.force_login(request.getfixturevalue(role))
    page = client.get(SUMMARY).content.decode()
    firearms = section(page, "FIREARMS")
    ibis = Figure.objects.get(
        metric__unit__code="FIREARMS",
        metric__code="ibis-submissions",
        period__fiscal_year__label="2023-24",
        period__period="Q3",
    )
    link = reverse("admin:reporting_figure_change", args=[ibis.pk])
    assert f'<a href="{link}">' in firearms
    assert "IBIS submissions Q3 is 1,334 against 304-421" in firearms
    assert "Staff only" in page


def test_leadership_does_not_see_findings(client, dataset, leader):
    client.force_login(leader)
    page = client.get(SUMMARY).content.decode()
    assert "IBIS submissions Q3 is 1,334" not in page
    assert "Data-quality findings" not in page
