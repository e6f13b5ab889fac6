"""The figure form shows the unit-year around the figure and the findings that name it;
every page counts a year's findings with the one function."""

import re

from django.urls import reverse

from reporting import services
from reporting.findings import figure_findings, year_findings
from reporting.models import FiscalYear
from tests.lookups import figure_of, period_of


def test_the_figure_form_shows_its_metric_by_period_and_its_finding(client, clerk, dataset):
    ibis = figure_of("FIREARMS", "ibis-submissions", "Q3")
    client.force_login(clerk)
    page = client.get(reverse("admin:reporting_figure_change", args=[ibis.pk])).content.decode()
    context = page[page.index('class="module figure-context"') :]
    cells = re.findall(r'<td class="figure[^"]*">(.*?)</td>', context, re.S)
    assert [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells] == [
        "343",
        "421",
        "1,334 (this figure)",
        "304",
        "2,402",
    ]
    q1 = figure_of("FIREARMS", "ibis-submissions", "Q1")
    assert f'href="{reverse("admin:reporting_figure_change", args=[q1.pk])}"' in context
    assert "IBIS submissions Q3 is 1,334 against 304-421" in context


def test_a_figure_with_no_findings_says_so_and_dashes_what_is_not_reported(
    client, administrator, dataset
):
    q1 = figure_of("ICE", "file-intakes", "Q1")
    services.delete_figure(figure=figure_of("ICE", "file-intakes", "Q2"), user=administrator)
    client.force_login(administrator)
    page = client.get(reverse("admin:reporting_figure_change", args=[q1.pk])).content.decode()
    assert '—<span class="visually-hidden"> not reported</span>' in page
    # Q2 missing is a finding about the quarters, and it names Q1.
    assert "Q2 not" in page
    assert [f.kind for f in figure_findings(q1)] == ["quarters-missing"]


def test_the_figure_form_costs_at_most_40_queries(
    client, administrator, dataset, django_assert_max_num_queries
):
    figure = figure_of("CFSEU", "suspects-charged", "FY")
    client.force_login(administrator)
    url = reverse("admin:reporting_figure_change", args=[figure.pk])
    client.get(url)
    with django_assert_max_num_queries(40):
        assert client.get(url).status_code == 200


def _summary_count(client) -> int:
    page = client.get(reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"}))
    return int(re.search(r"(\d+) findings? for 2023-24", page.content.decode()).group(1))


def _findings_page_count(client, year) -> int:
    page = client.get(reverse("admin:reporting_findings"), {"fiscal_year": year.pk})
    return len(re.findall(r'<tr class="severity-', page.content.decode()))


def test_the_summary_and_the_findings_page_count_the_same_findings(client, administrator, dataset):
    client.force_login(administrator)
    year = FiscalYear.objects.get(label="2023-24")
    assert _summary_count(client) == _findings_page_count(client, year) == 9
    # A grid-style change that adds a finding (the quarters no longer add up),
    # then opening the next year (the findings page's default): the counts move together.
    services.record_figure(
        metric=figure_of("ICE", "file-intakes", "Q1").metric,
        period=period_of("Q1"),
        value=690,
        user=administrator,
    )
    services.open_fiscal_year(label="2024-25", user=administrator)
    expected = len(year_findings(year))
    assert expected == 10
    assert _summary_count(client) == _findings_page_count(client, year) == expected
