"""ALERT_PUBLIC_REPORTS: published years readable without signing in, and only those."""

import csv
import io

import pytest
from django.urls import reverse

from reporting import services
from reporting.models import Figure, FiscalYear
from tests.years import publish

PUBLISHED = reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"})
DRAFT = reverse("reporting:summary", kwargs={"fiscal_year": "2024-25"})
CSV = reverse("reporting:download_csv", kwargs={"fiscal_year": "2023-24"})
XLSX = reverse("reporting:download_xlsx", kwargs={"fiscal_year": "2023-24"})
RELEASE = reverse("reporting:download_release", args=["2023-24", 1])
INTERNAL_NOTE = "Corrected per lab log"


@pytest.fixture
def records(published_dataset, administrator):
    """The published shipped years with an internal note on a figure, and a 2024-25 draft."""
    figure = Figure.objects.for_year("2023-24").for_unit("ICE").unit_wide().first()
    # A correction: the internal note is recorded, then the year is republished.
    year = FiscalYear.objects.get(label="2023-24")
    services.prepare_correction(fiscal_year=year, user=administrator, reason="A note to add")
    services.record_figure(
        metric=figure.metric,
        period=figure.period,
        value=figure.value,
        note=INTERNAL_NOTE,
        user=administrator,
    )
    publish(year, user=administrator)
    services.create_fiscal_year(label="2024-25", user=administrator)


@pytest.mark.parametrize("url", [PUBLISHED, DRAFT, CSV, XLSX, RELEASE, "/"])
def test_off_by_default_anonymous_readers_are_sent_to_log_in(client, records, settings, url):
    assert settings.ALERT_PUBLIC_REPORTS is False
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_on_anyone_reads_a_published_year_without_staff_parts(client, records, public):
    home = client.get("/", follow=True)
    assert home.redirect_chain[-1][0] == PUBLISHED
    page = home.content.decode()
    assert "Annual results 2023-24" in page
    assert INTERNAL_NOTE not in page
    assert "Data-quality findings" not in page  # the staff panel
    assert "in preparation" not in page and "2024-25" not in page  # no draft, not even named


def test_on_the_downloads_carry_no_internal_note(client, records, public):
    response = client.get(CSV)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    # The years the page shows (2023-24 and its two published prior years).
    shown = ["2021-22", "2022-23", "2023-24"]
    assert len(rows) == Figure.objects.filter(period__fiscal_year__label__in=shown).count()
    assert {row["fiscal_year"] for row in rows} == set(shown)
    assert "note" not in rows[0]  # the release's columns: codes, labels, value, public note
    assert INTERNAL_NOTE not in response.content.decode()
    assert client.get(XLSX).status_code == 200
    assert INTERNAL_NOTE.encode() not in client.get(RELEASE).content


def test_on_drafts_stay_private(client, records, public):
    # A draft answers as a year that does not exist: nobody can tell it is there.
    assert client.get(DRAFT).status_code == 404
    assert client.get(reverse("reporting:summary", args=["2031-32"])).status_code == 404
    assert client.get(reverse("reporting:draft", args=["2023-24"])).status_code == 404
    assert client.get(reverse("reporting:pick_year"), {"year": "2024-25"}).status_code == 404
    years = client.get(reverse("reporting:year_list")).content.decode()
    assert "2023-24" in years and "2024-25" not in years


def test_on_a_signed_in_reader_still_sees_drafts(client, records, public, leader):
    client.force_login(leader)
    assert client.get(DRAFT).status_code == 200
    assert FiscalYear.objects.get(label="2024-25").is_locked is False
    content = client.get(CSV).content.decode()
    # Internal notes stay out of the report's downloads for every reader (issue 11,
    # point 7); staff read them in the admin and its export.
    assert INTERNAL_NOTE not in content
