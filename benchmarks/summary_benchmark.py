"""Server time of the annual summary with 25 fiscal years on record.

    DJANGO_SETTINGS_MODULE=alert.settings_test .venv/bin/python benchmarks/summary_benchmark.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alert_i5 ... (same, on PostgreSQL)

Creates a throw-away test database (never the development one), loads the
shipped dataset plus figures for 25 fiscal years, signs in a Leadership
member, and times /reports/2023-24/ and a trivial Django view through the
same middleware with Django's test client, interleaved, 200 requests each
after a warm-up. DEBUG is off (cached templates), as in production.
Two baselines: a bare HttpResponse view, and a trivial page served as the
summary is (signed in, permission checked, the base template rendered).
Prints the median and 90th percentile of each and the ratios.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alert.settings_test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import path, reverse  # noqa: E402

from alert.urls import urlpatterns as site_urls  # noqa: E402
from reporting.access import summary_access  # noqa: E402
from reporting.roles import LEADERSHIP  # noqa: E402
from tests.years import load_years  # noqa: E402

REQUESTS = 200
WARM_UP = 20
YEARS = 25


def trivial(request):
    """The bare minimum: a response through the same middleware."""
    return HttpResponse("ok")


@summary_access
def trivial_page(request):
    """A trivial page as the summary is served: signed in, permission checked,
    the site's base template rendered."""
    return render(request, "base.html")


urlpatterns = [
    *site_urls,
    path("__trivial__/", trivial, name="trivial"),
    path("__trivial_page__/", trivial_page, name="trivial_page"),
]


def timed(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed * 1000


def main() -> None:
    # No setup_test_environment(): its instrumented template rendering (which
    # copies every context for the test client) is not server time.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = (
        None if connection.vendor == "sqlite" else "bench_" + settings.DATABASES["default"]["NAME"]
    )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with open(os.devnull, "w") as quiet:
            call_command("load_dataset", stdout=quiet)
        load_years(YEARS)
        carol = User.objects.create_user("carol", password="correct horse battery")
        carol.groups.add(Group.objects.get(name=LEADERSHIP))
        client = Client()
        client.force_login(carol)
        with override_settings(ROOT_URLCONF=__name__):
            summary = reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"})
            trivial_url = reverse("trivial")
            page_url = reverse("trivial_page")
            for _ in range(WARM_UP):
                timed(client, summary)
                timed(client, trivial_url)
                timed(client, page_url)
            summary_ms, cold_ms, trivial_ms, page_ms = [], [], [], []
            for _ in range(REQUESTS):
                summary_ms.append(timed(client, summary))
                # The same page just after the records changed: nothing cached.
                cache.clear()
                cold_ms.append(timed(client, summary))
                trivial_ms.append(timed(client, trivial_url))
                page_ms.append(timed(client, page_url))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    def report(name, times):
        q = statistics.quantiles(times, n=10)
        print(f"{name:<28} median {statistics.median(times):7.2f} ms   p90 {q[-1]:7.2f} ms")

    print(f"database: {connection.vendor}; {YEARS} fiscal years; {REQUESTS} requests each")
    report("/reports/2023-24/", summary_ms)
    report("  ... after a change (cold)", cold_ms)
    report("trivial view (bare)", trivial_ms)
    report("trivial page (auth+base)", page_ms)
    median = statistics.median(summary_ms)
    print(
        f"summary / bare view: {median / statistics.median(trivial_ms):.1f}x; "
        f"summary / trivial page: {median / statistics.median(page_ms):.1f}x "
        "(targets: median <= 50 ms and <= 5x)"
    )
    cold = statistics.median(cold_ms)
    print(
        f"cold summary / bare view: {cold / statistics.median(trivial_ms):.1f}x; "
        f"cold summary / trivial page: {cold / statistics.median(page_ms):.1f}x"
    )


if __name__ == "__main__":
    main()
