"""Open data for every release (issue 23): a Frictionless Data Package beside
each release's CSV, validated with the frictionless library; the CSV carries
labels beside codes; an Atom feed of releases and revisions, readable without
signing in when public reading is on."""

import csv
import hashlib
import io
import json
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.urls import reverse
from frictionless import validate

from reporting import services
from reporting.models import Figure, FiscalYear, Release

ATOM = "{http://www.w3.org/2005/Atom}"
FEED = reverse("reporting:feed")


def _package_urls(release: Release) -> tuple[str, str]:
    args = [release.fiscal_year.label, release.number]
    return (
        reverse("reporting:release_datapackage", args=args),
        reverse("reporting:release_figures_csv", args=args),
    )


def _correction(administrator) -> Release:
    """2023-24 corrected: a correction prepared, two CFSEU charges moved from Q3 to Q4 (the
    year stays 800), published again as release 2."""
    year = FiscalYear.objects.get(label="2023-24")
    services.prepare_correction(fiscal_year=year, user=administrator, reason="A recount")
    for period, value in (("Q3", 235), ("Q4", 233)):
        figure = Figure.objects.get(
            metric__unit__code="CFSEU",
            metric__code="charges-laid",
            period__fiscal_year=year,
            period__period=period,
            region=None,
        )
        services.record_figure(
            metric=figure.metric, period=figure.period, value=Decimal(value), user=administrator
        )
    return services.publish_year(
        fiscal_year=year,
        user=administrator,
        reason="CFSEU's Q3 and Q4 charges recounted.",
        incomplete_reason="Firearms' three rows were printed without quarters.",
    )


def test_every_release_has_a_data_package_that_frictionless_validates(
    client, published_dataset, leader, tmp_path
):
    client.force_login(leader)
    for release in Release.objects.select_related("fiscal_year"):
        package_url, csv_url = _package_urls(release)
        package_response = client.get(package_url)
        assert package_response.status_code == 200
        assert package_response["Content-Type"] == "application/json"
        content = client.get(csv_url).content
        package = json.loads(package_response.content)
        folder = tmp_path / f"{release.fiscal_year.label}-{release.number}"
        folder.mkdir()
        (folder / "datapackage.json").write_bytes(package_response.content)
        (folder / "figures.csv").write_bytes(content)
        report = validate(str(folder / "datapackage.json"))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]

        (resource,) = package["resources"]
        header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == header  # every column named
        assert all(f["type"] and f["description"] for f in fields)
        digest = hashlib.sha256(content).hexdigest()
        assert resource["hash"] == f"sha256:{digest}"
        assert package["alert_release"]["sha256"] == release.sha256  # the whole page's
        assert package["alert_release"]["number"] == release.number
        # No licence was given: the package says so and invents none.
        assert "licenses" not in package and "No licence" in package["licence_note"]


def test_the_release_csv_carries_labels_beside_codes(client, published_dataset, leader):
    client.force_login(leader)
    release = Release.objects.get(fiscal_year__label="2023-24", number=1)
    content = client.get(_package_urls(release)[1]).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    row = next(
        r
        for r in rows
        if (r["unit"], r["metric"], r["period"]) == ("CFSEU", "charges-laid", "Q4")
        and not r["region"]
    )
    assert row["unit"] == "CFSEU" and row["unit_name"] == "Combined Special Forces Enforcement"
    assert row["metric_label"] == "Charges laid" and row["period_label"] == "Q4 (Jan–Mar)"
    assert row["value_type"] == "count" and row["value"] == "231"


def test_an_administrators_licence_and_attribution_reach_the_package(
    client, published_dataset, leader, settings, tmp_path
):
    settings.ALERT_OPEN_DATA_LICENCE_NAME = "OGL-Alberta-2.0"
    settings.ALERT_OPEN_DATA_LICENCE_PATH = "https://open.alberta.ca/licence"
    settings.ALERT_OPEN_DATA_LICENCE_TITLE = "Open Government Licence – Alberta"
    settings.ALERT_OPEN_DATA_ATTRIBUTION = "Contains information licensed by ALERT."
    client.force_login(leader)
    release = Release.objects.get(fiscal_year__label="2023-24", number=1)
    package = json.loads(client.get(_package_urls(release)[0]).content)
    assert package["licenses"] == [
        {
            "name": "OGL-Alberta-2.0",
            "path": "https://open.alberta.ca/licence",
            "title": "Open Government Licence – Alberta",
        }
    ]
    assert package["attribution"] == "Contains information licensed by ALERT."


def test_the_feed_lists_every_release_and_revision(
    client, published_dataset, leader, administrator
):
    second = _correction(administrator)
    client.force_login(leader)
    response = client.get(FEED)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = {entry.find(f"{ATOM}id").text: entry for entry in root.findall(f"{ATOM}entry")}
    releases = list(Release.objects.select_related("fiscal_year"))
    assert len(releases) == 4 and len(entries) == 4
    for release in releases:
        entry = entries[f"alert-release-{release.fiscal_year.label}-{release.number}"]
        title = entry.find(f"{ATOM}title").text
        assert title.startswith(f"{release.fiscal_year.label}, release {release.number}")
        assert entry.find(f"{ATOM}summary").text == release.reason
        links = {link.get("rel"): link.get("href") for link in entry.findall(f"{ATOM}link")}
        assert links["alternate"].endswith(
            reverse("reporting:release_page", args=[release.fiscal_year.label, release.number])
        )
        assert links["enclosure"].endswith(_package_urls(release)[0])
    newest = root.findall(f"{ATOM}entry")[0]
    assert newest.find(f"{ATOM}title").text == "2023-24, release 2 (revision)"
    assert newest.find(f"{ATOM}summary").text == second.reason


def test_the_feed_and_packages_open_without_signing_in_only_when_public_reading_is_on(
    client, published_dataset, settings
):
    release = Release.objects.get(fiscal_year__label="2023-24", number=1)
    package_url, csv_url = _package_urls(release)
    for url in (FEED, package_url, csv_url):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    settings.ALERT_PUBLIC_REPORTS = True
    for url in (FEED, package_url, csv_url):
        assert client.get(url).status_code == 200, url
    root = ET.fromstring(client.get(FEED).content)
    assert len(root.findall(f"{ATOM}entry")) == 3


@pytest.mark.parametrize("number", [0, 9])
def test_an_unknown_release_has_no_package(client, published_dataset, leader, number):
    client.force_login(leader)
    url = f"/reports/2023-24/release-{number}/datapackage.json"
    assert client.get(url).status_code == 404
