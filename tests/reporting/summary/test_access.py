"""Who may open the annual summary and its downloads."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from reporting.access import can_see_findings, can_view_summary
from reporting.importing.longform import COLUMNS
from reporting.models import Figure

PAGES = [
    reverse("reporting:year_list"),
    reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"}),
    reverse("reporting:download_csv", kwargs={"fiscal_year": "2023-24"}),
    reverse("reporting:latest"),
    reverse("home"),
]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("role", ["administrator", "clerk", "leader"])
def test_every_role_may_open_the_summary_pages(client, dataset, request, role, url):
    client.force_login(request.getfixturevalue(role))
    assert client.get(url).status_code in {200, 302}
    assert client.get(url, follow=True).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_a_user_without_a_role_is_refused(client, dataset, outsider, url):
    client.force_login(outsider)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_an_anonymous_visitor_is_sent_to_log_in(client, dataset, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_a_superuser_without_a_role_may_open_the_summary(client, dataset):
    boss = User.objects.create_superuser("root", password="correct horse battery")
    client.force_login(boss)
    url = reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"})
    assert client.get(url).status_code == 200


def test_an_inactive_member_is_refused(leader):
    leader.is_active = False
    assert not can_view_summary(leader)


def test_only_staff_who_keep_the_figures_see_findings(administrator, clerk, leader, outsider):
    assert can_see_findings(administrator)
    assert can_see_findings(clerk)
    assert not can_see_findings(leader)
    assert not can_see_findings(outsider)


def test_the_login_page_is_styled_like_the_site(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "css/site.css" in page
    assert 'name="username"' in page and 'name="password"' in page
    assert "csrfmiddlewaretoken" in page


def test_logging_in_through_the_form_leads_to_the_page_asked_for(client, dataset, leader):
    url = reverse("reporting:summary", kwargs={"fiscal_year": "2022-23"})
    response = client.post(
        reverse("login"),
        {"username": "carol", "password": "correct horse battery", "next": url},
    )
    assert response.status_code == 302
    assert response["Location"] == url


def test_the_csv_download_holds_every_figure_of_every_year_the_page_shows(client, dataset, leader):
    client.force_login(leader)
    url = reverse("reporting:download_csv", kwargs={"fiscal_year": "2023-24"})
    response = client.get(url)
    assert response["Content-Type"].startswith("text/csv")
    assert "alert-figures-2023-24.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    # The report's download: the long form with the internal note blank (staff only).
    assert tuple(rows[0]) == COLUMNS
    # The page compares 2023-24 with 2022-23 and 2021-22: the file can rebuild it.
    assert {row["fiscal_year"] for row in rows} == {"2023-24", "2022-23", "2021-22"}
    assert {row["note"] for row in rows} == {""}
    from reporting.models import Figure

    assert len(rows) == Figure.objects.count()
    assert {"FY"} == {
        row["period"] for row in rows if row["fiscal_year"] == "2022-23"
    }  # prior years hold full-year figures
    drugs = [
        r for r in rows if r["metric"] == "est-value-of-drugs-seized" and r["region"] == "Red Deer"
    ]
    assert drugs[0]["value"] == "2451800"


def test_the_csv_download_of_an_unknown_year_is_not_found(client, dataset, leader):
    client.force_login(leader)
    url = reverse("reporting:download_csv", kwargs={"fiscal_year": "1999-00"})
    assert client.get(url).status_code == 404


def test_the_xlsx_download_is_the_report_layout_workbook(client, dataset, leader):
    client.force_login(leader)
    page = client.get(reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"}))
    xlsx = reverse("reporting:download_xlsx", kwargs={"fiscal_year": "2023-24"})
    assert xlsx in page.content.decode()
    response = client.get(xlsx)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:6] == ["ICE", "HTCE", "CISA", "CFSEU", "AUTO", "FIREARMS"]
    ice = list(book["ICE"].iter_rows(values_only=True))
    intakes = next(row for row in ice if row and row[0] == "File intakes")
    assert intakes[1:8] == (680, 872, 1149, 1114, 3815, 2994, 2764)


def test_downloads_escape_text_that_a_spreadsheet_would_run(client, dataset, leader):
    Figure.objects.filter(metric__unit__code="ICE").update(public_note='=HYPERLINK("http://x")')
    client.force_login(leader)
    url = reverse("reporting:download_csv", kwargs={"fiscal_year": "2023-24"})
    text = client.get(url).content.decode()
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text


def test_the_xlsx_download_is_refused_to_a_user_without_a_role(client, dataset, outsider):
    client.force_login(outsider)
    url = reverse("reporting:download_xlsx", kwargs={"fiscal_year": "2023-24"})
    assert client.get(url).status_code == 403
