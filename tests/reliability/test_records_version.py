"""The figures API's cached pages move with every commit, in whatever order
writers commit (PostgreSQL: concurrent connections).

The records version was once the newest history id of each table: a write
that took a lower id in a long transaction and committed after a later
write left the version where the later write had put it, so the cached page
went on without it. Every writer now replaces one row's token in its own
transaction: a second writer waits for the first to commit, and the last
commit always leaves the token the readers see.
"""

import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from reporting import services
from reporting.models import Figure, ReportingPeriod
from tests.reliability.conditions import postgresql_only

pytestmark = [postgresql_only, pytest.mark.django_db(transaction=True)]


def figure(unit: str, metric: str, year: str) -> Figure:
    return Figure.objects.select_related("metric", "period").get(
        metric__unit__code=unit,
        metric__code=metric,
        period__fiscal_year__label=year,
        period__period="Q1",
        region=None,
    )


def listed(client: APIClient, year: str) -> dict[tuple[str, str], str]:
    page = client.get(reverse("api:figure-list"), {"fiscal_year": year, "page_size": 1000})
    assert page.status_code == 200
    return {
        (row["unit"], row["metric"]): row["value"]
        for row in page.json()["results"]
        if row["period"] == "Q1" and row["region"] is None
    }


def test_a_write_committed_after_a_later_one_shows_in_the_cached_list(dataset, clerk, leader):
    # Two figures of different years, so the writers do not wait on the same
    # year's lock: a year of its own (no quarter approved) for the later one.
    early = figure("ICE", "file-intakes", "2023-24")
    services.create_fiscal_year(label="2024-25")
    late_period = ReportingPeriod.objects.get(fiscal_year__label="2024-25", period="Q1")
    reader = APIClient()
    reader.force_login(leader)
    assert listed(reader, "2023-24")[("ICE", "file-intakes")] == "680.00"

    written, go, late_done = threading.Event(), threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def long_write():  # takes its ids first, commits last
        try:
            with transaction.atomic():
                services.record_figure(
                    metric=early.metric, period=early.period, value="681", user=clerk, source="t"
                )
                written.set()
                assert go.wait(timeout=30)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            failures.append(exc)
            written.set()
        finally:
            connection.close()

    def short_write():
        try:
            services.record_figure(
                metric=early.metric, period=late_period, value="9", user=clerk, source="t"
            )
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            failures.append(exc)
        finally:
            late_done.set()
            connection.close()

    first = threading.Thread(target=long_write)
    first.start()
    assert written.wait(timeout=30)
    second = threading.Thread(target=short_write)
    second.start()
    # The later writer waits for the earlier one's commit (the version's row).
    assert not late_done.wait(timeout=1)
    # A reader meanwhile sees neither write, and its page is cached.
    assert listed(reader, "2023-24")[("ICE", "file-intakes")] == "680.00"
    go.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert not failures, failures

    assert listed(reader, "2023-24")[("ICE", "file-intakes")] == "681.00"
    assert listed(reader, "2024-25")[("ICE", "file-intakes")] == "9.00"
