"""The summary costs a constant number of queries, however many years are on record."""

from decimal import Decimal

from django.urls import reverse

from reporting import services
from reporting.models import Figure, FiscalYear
from reporting.summary import build_summary
from tests.years import load_years

# Years, units, metrics, regions, figures, the prior years' releases, the
# year's text, ALERT's published totals.
BUILD_QUERIES = 8
# A published page from the cache: the session's user and access, the year
# with its newest release, the years offered in the picker, the newer drafts.
CACHED_PAGE_QUERIES_MAX = 8
STAFF_PAGE_QUERIES_MAX = 25  # a draft with its findings, releases and notices


def test_build_summary_costs_eight_queries_with_the_shipped_dataset(
    dataset, django_assert_num_queries
):
    with django_assert_num_queries(BUILD_QUERIES):
        build_summary("2023-24")


def test_build_summary_costs_the_same_with_25_years_on_record(dataset, django_assert_num_queries):
    load_years(25)
    assert FiscalYear.objects.count() == 25
    with django_assert_num_queries(BUILD_QUERIES):
        summary = build_summary("2023-24")
    assert len(summary.years) == 25
    assert summary.units[0].rows[0].year.value == Decimal(3815)  # recorded figures stand
    with django_assert_num_queries(BUILD_QUERIES):
        build_summary("2000-01")


def test_a_cached_published_page_costs_at_most_eight_queries_with_3_or_25_years(
    client, published_dataset, leader, django_assert_max_num_queries
):
    client.force_login(leader)
    url = reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"})
    assert client.get(url).status_code == 200  # rendered from the release, then cached
    with django_assert_max_num_queries(CACHED_PAGE_QUERIES_MAX) as shipped:
        page = client.get(url)
    assert page.status_code == 200
    assert "3,815" in page.content.decode()
    load_years(25)
    with django_assert_max_num_queries(len(shipped.captured_queries)):
        assert client.get(url).status_code == 200


def test_a_change_to_the_records_shows_at_once_despite_the_cache(client, dataset, leader, clerk):
    client.force_login(leader)
    url = reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"})
    assert "3,815" in client.get(url).content.decode()
    figure = Figure.objects.get(
        metric__unit__code="ICE",
        metric__code="file-intakes",
        period__fiscal_year__label="2023-24",
        period__period="FY",
    )
    services.record_figure(
        metric=figure.metric, period=figure.period, value="3,816", user=clerk, source="test"
    )
    page = client.get(url).content.decode()
    assert "3,816" in page and "3,815" not in page
    metric = figure.metric
    metric.label = "Files opened"
    metric.save()
    assert "Files opened" in client.get(url).content.decode()


def test_the_summary_page_for_staff_costs_at_most_25_queries_with_3_or_25_years(
    client, dataset, clerk, django_assert_max_num_queries
):
    """Staff also see the findings, whose module may add its own (constant) queries."""
    client.force_login(clerk)
    url = reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"})
    with django_assert_max_num_queries(STAFF_PAGE_QUERIES_MAX) as shipped:
        assert client.get(url).status_code == 200
    load_years(25)
    with django_assert_max_num_queries(len(shipped.captured_queries)):
        assert client.get(url).status_code == 200
