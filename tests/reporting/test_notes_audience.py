"""Notes have an audience: a figure's or a metric's ``note`` is internal (staff
only, in the admin), its ``public_note`` a footnote of the report. No internal
note reaches the report page, its print or its downloads, for any role, in
any shipped year; no footnote points at a note that is not on its page."""

import csv
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from reporting import services
from reporting.importing.longform import COLUMNS
from reporting.models import Figure
from reporting.summary import build_summary
from tests.importing.helpers import long_csv
from units.models import Metric

YEARS = ("2021-22", "2022-23", "2023-24")
ROLES = ("leader", "clerk", "administrator")
INTERNAL = "INTERNAL-ONLY: checked against the lab log"


def _internal_notes() -> set[str]:
    notes = set(Figure.objects.exclude(note="").values_list("note", flat=True))
    notes |= set(Metric.objects.exclude(note="").values_list("note", flat=True))
    return notes


def _fragments(note: str) -> list[str]:
    """The note, and its first words: HTML escaping may change quotes further on."""
    return [note[:40]]


@pytest.fixture
def noted(dataset):
    """The dataset, with an internal note on a metric and on a figure of every year."""
    Metric.objects.filter(unit__code="ICE", code="file-intakes").update(
        note=INTERNAL + " (metric)", public_note="Counted when a file is opened."
    )
    for year in YEARS:
        figure = Figure.objects.for_year(year).for_unit("ICE").filter(period__period="FY").first()
        figure.note = f"{INTERNAL} ({year})"
        figure.save()


def test_the_shipped_caveats_are_internal_and_their_footnotes_public(dataset):
    gun_seizures = Figure.objects.for_year("2023-24").get(
        metric__unit__code="FIREARMS", metric__code="gun-seizures", period__period="FY"
    )
    assert gun_seizures.note.startswith("The source prints this row as 1 14 15")
    assert gun_seizures.public_note.startswith("Quarterly figures were not published for this row.")
    # Every caveat of the shipped data is an internal note; the public ones are our own.
    assert Figure.objects.exclude(note="").count() == 9
    assert Figure.objects.exclude(public_note="").count() == 5


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("year", YEARS)
def test_no_internal_note_reaches_the_report_its_print_or_its_downloads(
    noted, client, request, role, year
):
    client.force_login(request.getfixturevalue(role))
    internal = _internal_notes()
    assert len(internal) >= 4
    page = client.get(reverse("reporting:summary", kwargs={"fiscal_year": year}))
    assert page.status_code == 200
    # The page is also what prints (print.css only hides parts of it).
    text = page.content.decode()
    csv_text = client.get(
        reverse("reporting:download_csv", kwargs={"fiscal_year": year})
    ).content.decode()
    book = openpyxl.load_workbook(
        io.BytesIO(
            client.get(reverse("reporting:download_xlsx", kwargs={"fiscal_year": year})).content
        )
    )
    cells = " ".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    api = APIClient()
    api.force_login(request.getfixturevalue(role))
    summary_json = api.get(reverse("api:summary", args=[year])).content.decode()
    for note in internal:
        for fragment in _fragments(note):
            assert fragment not in text
            assert fragment not in csv_text
            assert fragment not in cells
            assert fragment not in summary_json
    assert "Counted when a file is opened." in text  # the metric's public note is there
    assert "Counted when a file is opened." in cells


def test_the_2023_24_page_prints_the_public_footnotes(dataset, client, leader):
    client.force_login(leader)
    text = client.get(reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"})).content
    text = text.decode()
    firearms = text[text.index('id="unit-FIREARMS"') :]
    firearms = firearms[: firearms.index("</section>")]
    assert "Quarterly figures were not published for this row." in firearms
    assert 'href="#note-FIREARMS-1"' in firearms


@pytest.mark.parametrize("year", YEARS)
def test_every_footnote_mark_points_to_a_note_on_the_same_page(dataset, client, leader, year):
    client.force_login(leader)
    text = client.get(reverse("reporting:summary", kwargs={"fiscal_year": year})).content.decode()
    marks = set(re.findall(r'href="#(note-[A-Z]+-\d+)"', text))
    notes = set(re.findall(r'id="(note-[A-Z]+-\d+)"', text))
    assert marks == notes
    # and no footnote sends the reader to another year's note
    summary = build_summary(year)
    for section in summary.units:
        for footnote in section.footnotes:
            assert not re.search(r"see the \d{4}-\d{2} note", footnote.text)


def test_the_staff_panel_says_a_figure_has_an_internal_note_without_printing_it(
    dataset, client, administrator
):
    client.force_login(administrator)
    text = client.get(reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"})).content
    text = text.decode()
    assert "has an internal note: read it in the admin." in text
    assert "The source prints this row as" not in text


def test_the_admin_shows_both_notes(dataset, client, administrator):
    client.force_login(administrator)
    figure = Figure.objects.for_year("2023-24").get(
        metric__unit__code="FIREARMS", metric__code="gun-seizures", period__period="FY"
    )
    page = client.get(reverse("admin:reporting_figure_change", args=[figure.pk])).content.decode()
    assert "The source prints this row as 1 14 15" in page
    assert "Quarterly figures were not published for this row." in page
    assert "Internal note: staff only" in page and "Public note: printed as a footnote" in page


def test_a_file_without_the_public_note_column_keeps_the_public_note_on_record(dataset, clerk):
    headings = [c for c in COLUMNS if c != "public_note"]
    content = long_csv(
        ["FIREARMS", "gun-seizures", "2023-24", "FY", "", "15", "new internal"], headings=headings
    )
    outcome = services.import_file(content=content, file_name="x.csv", user=clerk)
    assert outcome.written, outcome.problems
    figure = Figure.objects.for_year("2023-24").get(
        metric__unit__code="FIREARMS", metric__code="gun-seizures", period__period="FY"
    )
    assert figure.note == "new internal"
    assert figure.public_note.startswith("Quarterly figures were not published for this row.")


def test_a_file_with_the_public_note_column_sets_it_and_a_blank_clears_it(dataset, clerk):
    content = long_csv(
        ["ICE", "file-intakes", "2023-24", "Q1", "", "680", "", "Includes two transferred files."],
        ["FIREARMS", "gun-seizures", "2023-24", "FY", "", "15", "", ""],
    )
    outcome = services.import_file(content=content, file_name="x.csv", user=clerk)
    assert outcome.counts["update"] == 2, outcome.problems
    assert (
        Figure.objects.for_year("2023-24")
        .get(metric__code="file-intakes", period__period="Q1", metric__unit__code="ICE")
        .public_note
        == "Includes two transferred files."
    )
    gun = Figure.objects.for_year("2023-24").get(
        metric__unit__code="FIREARMS", metric__code="gun-seizures", period__period="FY"
    )
    assert gun.public_note == "" and gun.note == ""
    assert gun.history.first().public_note == ""


def test_the_staff_export_carries_both_notes_and_imports_back_unchanged(
    dataset, client, administrator
):
    from reporting.exporting import export_long

    rows = list(csv.DictReader(io.StringIO(export_long("2023-24", "csv").decode())))
    assert tuple(rows[0]) == COLUMNS
    gun = next(r for r in rows if r["unit"] == "FIREARMS" and r["metric"] == "gun-seizures")
    assert gun["note"].startswith("The source prints") and gun["public_note"].startswith(
        "Quarterly figures"
    )
    outcome = services.import_file(
        content=export_long("2023-24", "csv"), file_name="back.csv", user=administrator
    )
    assert outcome.counts["update"] == 0 and outcome.counts["new"] == 0


def test_the_api_reads_and_writes_the_public_note(dataset, administrator):
    api = APIClient()
    api.force_login(administrator)
    figure = Figure.objects.for_year("2023-24").get(
        metric__unit__code="ICE", metric__code="file-intakes", period__period="Q1"
    )
    url = reverse("api:figure-detail", args=[figure.pk])
    response = api.patch(url, {"public_note": "Includes two transferred files."}, format="json")
    assert response.status_code == 200
    assert response.json()["public_note"] == "Includes two transferred files."
    assert response.json()["note"] == ""  # left as it was
    bulk = api.post(
        reverse("api:figure-bulk"),
        [
            {
                "unit": "ICE",
                "metric": "file-intakes",
                "fiscal_year": "2023-24",
                "period": "Q2",
                "value": "872",
                "public_note": "A public footnote.",
            }
        ],
        format="json",
    )
    assert bulk.status_code == 200, bulk.json()
    assert (
        Figure.objects.for_year("2023-24")
        .get(metric__unit__code="ICE", metric__code="file-intakes", period__period="Q2")
        .public_note
        == "A public footnote."
    )
