"""A list costs the same number of queries whatever the page size."""

from decimal import Decimal

from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from reporting.models import Figure, ReportingPeriod
from units.models import Metric, Region


def generate_figures():
    """Regional figures for every metric, region and period of 2021-22 and 2022-23."""
    periods = list(ReportingPeriod.objects.filter(fiscal_year__label__in=["2021-22", "2022-23"]))
    Figure.objects.bulk_create(
        Figure(metric=metric, period=period, region=region, value=Decimal(7))
        for metric in Metric.objects.all()
        for period in periods
        for region in Region.objects.all()
    )


def count_queries(client, django_assert_num_queries, page_size, expected):
    with django_assert_num_queries(expected):
        response = client.get(reverse("api:figure-list"), {"page_size": page_size})
    assert response.status_code == 200
    return len(response.json()["results"])


def test_the_values_list_costs_the_same_queries_at_page_size_10_and_1000(
    dataset, leader, django_assert_num_queries
):
    generate_figures()
    assert Figure.objects.count() > 1000
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=leader).key}")
    # Each request: the token (with its user), the user's permissions (2) and
    # unit assignment (ModelBackend, per request), the records version.
    # Then count + page, unless the page is already rendered for this state
    # of the records.
    assert count_queries(client, django_assert_num_queries, 10, 7) == 10
    assert count_queries(client, django_assert_num_queries, 1000, 7) == 1000
    assert count_queries(client, django_assert_num_queries, 10, 5) == 10


def test_filtered_lists_cost_the_same_whatever_the_page_size(
    dataset, as_user, leader, django_assert_num_queries
):
    generate_figures()
    client = as_user(leader)
    url = reverse("api:figure-list")
    params = {"unit": "ICE", "fiscal_year": "2022-23"}
    for size in (10, 1000):
        # user + permissions (2) + unit assignment + version + unit + year
        # lookups + count + page (the session comes from the cache)
        with django_assert_num_queries(9):
            assert client.get(url, {**params, "page_size": size}).status_code == 200


def test_the_summary_costs_twelve_queries_with_thousands_of_regional_figures(
    dataset, as_user, leader, django_assert_num_queries
):
    generate_figures()
    client = as_user(leader)
    # user + permissions (2), the year with its newest release + build_summary's
    # 8 (the session comes from the cache)
    with django_assert_num_queries(12):
        assert client.get(reverse("api:summary", args=["2022-23"])).status_code == 200


def test_an_unchanged_list_is_a_304_for_the_five_queries_of_the_check(
    dataset, leader, django_assert_num_queries
):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=leader).key}")
    url = reverse("api:figure-list")
    tag = client.get(url, {"page_size": 10}).headers["ETag"]
    # The token (with its user), permissions (2), unit assignment, records version.
    with django_assert_num_queries(5):
        response = client.get(url, {"page_size": 10}, HTTP_IF_NONE_MATCH=tag)
    assert response.status_code == 304
    assert response.content == b""
