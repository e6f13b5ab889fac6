"""ALERT-wide totals of the metrics the units share, added up from the
records, with a public footnote where ALERT's published total differs."""

from decimal import Decimal

from django.urls import reverse

from reporting import services
from reporting.models import PublishedTotal
from reporting.summary import build_summary
from tests.html_tables import read_tables

SUMMARY = reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"})


def test_the_shared_metrics_are_added_up_across_the_units(dataset):
    totals = build_summary("2023-24").alert_totals
    rows = {row.code: row for row in totals.rows}
    assert set(rows) == {"suspects-charged", "charges-laid"}
    suspects = rows["suspects-charged"]
    assert suspects.year.value == Decimal(312)  # 109 + 34 + 141 + 2 + 26
    assert suspects.units == ["ICE", "HTCE", "CFSEU", "AUTO", "FIREARMS"]
    assert [p.value for p in suspects.prior_years] == [Decimal(309), Decimal(379)]
    charges = rows["charges-laid"]
    assert charges.year.value == Decimal(1631)
    assert "AUTO" not in charges.units  # not reported in 2023-24: not counted, never as 0


def test_each_year_names_its_units_and_the_change_counts_the_units_in_both(dataset):
    rows = {row.code: row for row in build_summary("2023-24").alert_totals.rows}
    suspects, charges = rows["suspects-charged"], rows["charges-laid"]
    # 2022-23 counts Auto Crimes; Firearms began in 2023-24.
    assert suspects.prior_units[0] == ["ICE", "HTCE", "CFSEU", "AUTO"]
    assert charges.units == ["ICE", "HTCE", "CFSEU", "FIREARMS"]
    assert charges.prior_units[0] == ["ICE", "HTCE", "CFSEU", "AUTO"]
    # Suspects: 312 - 309 would say +3; without Firearms' 26 the same units fell by 23.
    assert suspects.compared_units == ["ICE", "HTCE", "CFSEU", "AUTO"]
    assert suspects.change == Decimal(-23)  # (109 + 34 + 141 + 2) - 309
    # Charges: 1,631 - 1,546 would say +85; ICE, HTCE and CFSEU fell by 89.
    assert charges.compared_units == ["ICE", "HTCE", "CFSEU"]
    assert charges.change == Decimal(-89)  # (415 + 231 + 800) - (1,546 - 11)
    assert charges.change_percent == Decimal("-5.8")


def test_the_table_names_the_units_and_colours_no_change_without_a_polarity(
    client, dataset, leader
):
    client.force_login(leader)
    page = client.get(SUMMARY).content.decode()
    start = page.index('id="table-ALERT"')
    table = page[start : page.index("</table>", start)]
    assert "the change compares only the units reported in both years" in table
    row = table[table.index('data-metric="charges-laid"') :]
    row = row[: row.index("</tr>")]
    cells = row.split("<td")[1:]
    assert "ICE + HTCE + CFSEU + FIREARMS" in cells[0]  # 2023-24
    assert "ICE + HTCE + CFSEU + AUTO" in cells[1]  # 2022-23
    assert "units in both years: ICE + HTCE + CFSEU" in cells[-1]
    assert "−89" in cells[-1] or "-89" in cells[-1]
    # Charges laid have no polarity: neutral, as in the units' tables.
    assert "change-neutral" in cells[-1]
    assert "change-down" not in table and "change-up" not in table


def test_a_footnote_says_where_alerts_published_total_differs(client, dataset, leader):
    client.force_login(leader)
    page = client.get(SUMMARY).content.decode()
    table = read_tables(page)["table-ALERT"].body()
    suspects = next(cells for label, cells in table.items() if label.startswith("Suspects charged"))
    assert suspects[0].text.startswith("312")
    start = page.index('aria-label="Notes to the ALERT-wide totals"')
    notes = page[start : page.index("</ol>", start)]
    assert "ALERT published 310 as its 2023-24 total" in notes
    assert "add up to 312" in notes
    assert "Auto Crimes" in notes
    assert notes.count("<li") == 1  # charges laid (1,631) and 2022-23 (309) agree


def test_the_published_total_is_data_an_administrator_can_change(
    client, dataset, administrator, leader
):
    published = PublishedTotal.objects.get(fiscal_year__label="2023-24", metric_code="charges-laid")
    published.value = Decimal(1630)
    services.save_year_text(record=published, user=administrator)
    client.force_login(leader)
    page = client.get(SUMMARY).content.decode()
    assert "ALERT published 1,630 as its 2023-24 total" in page
    assert published.history.count() == 2
