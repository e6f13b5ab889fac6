"""Data-quality findings: exactly the real ones on the shipped data, and each check firing."""

from decimal import Decimal

from django.urls import reverse

from reporting import services
from reporting.findings import year_findings
from reporting.models import Figure, FiscalYear
from tests.lookups import figure_of
from tests.years import publish


def _summary(fiscal_year):
    return [
        (f.kind, f.figures[0].label if f.figures else f.message) for f in year_findings(fiscal_year)
    ]


def test_the_shipped_year_has_exactly_its_real_findings(year):
    assert _summary(year) == [
        (
            "no-figures",
            "AUTO · Charges laid has no figure for 2023-24: not reported, or not yet entered.",
        ),
        ("source-note", "AUTO · Suspects charged 2023-24 FY"),
        ("source-note", "AUTO · Recovered assets 2023-24 FY"),
        ("source-note", "FIREARMS · Gun seizures 2023-24 FY"),
        ("source-note", "FIREARMS · Suspects charged 2023-24 FY"),
        ("source-note", "FIREARMS · Charges laid 2023-24 FY"),
        ("quarter-outlier", "FIREARMS · IBIS submissions 2023-24 Q3"),
        ("year-outlier", "HTCE · Victim interventions 2023-24 FY"),
        ("charged-without-charges", "AUTO · Suspects charged 2023-24 FY"),
    ]


def test_the_ibis_outlier_names_the_other_quarters_and_links_the_figure(year):
    [finding] = [f for f in year_findings(year) if f.kind == "quarter-outlier"]
    assert finding.message == (
        "FIREARMS · IBIS submissions Q3 is 1,334 against 304-421 in the other quarters: check it."
    )
    figure = figure_of("FIREARMS", "ibis-submissions", "Q3")
    assert finding.figures[0].url == reverse("admin:reporting_figure_change", args=[figure.pk])
    assert finding.figures[0].value == "1,334"


def test_prior_years_list_what_they_really_have(dataset):
    kinds = [kind for kind, _ in _summary(FiscalYear.objects.get(label="2021-22"))]
    assert kinds == ["no-figures", "source-note", "source-note"]
    assert (
        "FIREARMS has no figures at all"
        in year_findings(FiscalYear.objects.get(label="2022-23"))[0].message
    )


def test_quarters_that_do_not_add_up_to_the_year_are_an_error(year, administrator):
    q1 = figure_of("ICE", "file-intakes", "Q1")
    services.record_figure(metric=q1.metric, period=q1.period, value="690", user=administrator)
    [finding] = [f for f in year_findings(year) if f.kind == "quarters-vs-year"]
    assert finding.severity == "error"
    assert finding.message == (
        "ICE · File intakes: the quarters add up to 3,825 but the full year is recorded as "
        "3,815 (a difference of 10)."
    )
    assert len(finding.figures) == 5


def test_regions_that_do_not_add_up_to_the_unit_are_an_error(year, administrator):
    calgary = figure_of("CFSEU", "est-value-of-drugs-seized", "FY", region="Calgary")
    services.record_figure(
        metric=calgary.metric,
        period=calgary.period,
        region=calgary.region,
        value="$937,423",
        user=administrator,
    )
    [finding] = [f for f in year_findings(year) if f.kind == "regions-vs-unit"]
    assert "the regions add up to $5,334,164 but the unit's full year is $5,334,163" in (
        finding.message
    )
    assert len(finding.figures) == 9


def test_a_fraction_in_a_count_is_an_error(year):
    # The entry paths refuse it; data written around them is still caught.
    Figure.objects.filter(pk=figure_of("ICE", "file-intakes", "Q1").pk).update(
        value=Decimal("680.5")
    )
    kinds = [f.kind for f in year_findings(year)]
    assert "fractional-count" in kinds
    assert "quarters-vs-year" in kinds


def test_some_quarters_missing_is_a_warning(year, administrator):
    services.delete_figure(figure=figure_of("CISA", "training-courses", "Q4"), user=administrator)
    [finding] = [f for f in year_findings(year) if f.kind == "quarters-missing"]
    assert finding.message == "CISA · Training courses: Q1, Q2, Q3 reported, Q4 not."


def test_an_outlier_is_flagged_never_rejected(year, administrator):
    q2 = figure_of("CISA", "intelligence-reports", "Q2")
    services.record_figure(metric=q2.metric, period=q2.period, value="2,960", user=administrator)
    services.record_figure(
        metric=q2.metric,
        period=figure_of("CISA", "intelligence-reports", "FY").period,
        value="4,138",
        user=administrator,
    )
    assert figure_of("CISA", "intelligence-reports", "Q2").value == 2960
    outliers = [f.figures[0].label for f in year_findings(year) if f.kind == "quarter-outlier"]
    assert "CISA · Intelligence reports 2023-24 Q2" in outliers


def test_a_locked_year_is_not_asked_for_missing_figures(year, administrator):
    publish(year, user=administrator)
    assert "no-figures" not in [f.kind for f in year_findings(year)]


def test_findings_cost_three_queries_with_or_without_figures(year, django_assert_num_queries):
    with django_assert_num_queries(3):
        year_findings(year)
    Figure.objects.for_year(year).delete()
    with django_assert_num_queries(3):
        findings = year_findings(year)
    assert {f.kind for f in findings} == {"no-figures"}


def test_the_findings_page_lists_them_per_year(year, client, leader):
    client.force_login(leader)
    url = reverse("admin:reporting_findings")
    page = client.get(url).content.decode()
    assert "IBIS submissions Q3 is 1,334" in page and "9 findings" in page
    older = FiscalYear.objects.get(label="2021-22")
    page = client.get(url, {"fiscal_year": older.pk}).content.decode()
    assert "FIREARMS has no figures at all for 2021-22" in page
    assert client.get(url, {"fiscal_year": "nonsense"}).status_code == 200
    index = client.get(reverse("admin:index")).content.decode()
    assert url in index
