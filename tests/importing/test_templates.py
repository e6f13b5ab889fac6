"""Templates to fill in: every expected figure of the person's units, blank;
the report workbook limited to their units with every region; imported
untouched, they change nothing (through the pipeline and the admin)."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reporting import services
from reporting.exporting import export_report_workbook
from reporting.exporting.blank import HEADINGS, long_form_template
from reporting.models import FiscalYear, ImportBatch
from tests.importing.helpers import record
from units.models import Region, Unit

TEMPLATE = "admin:reporting_figure_template"


pytestmark = pytest.mark.usefixtures("media")


@pytest.fixture
def cfseu_clerk(clerk, dataset):
    Unit.objects.get(code="CFSEU").data_entry_users.add(clerk)
    return clerk


def test_the_long_form_template_holds_every_expected_figure_blank(dataset):
    cfseu = Unit.objects.get(code="CFSEU")
    year = FiscalYear.objects.get(label="2023-24")
    rows = list(csv.reader(io.StringIO(long_form_template(year, [cfseu]).decode())))
    assert tuple(rows[0]) == HEADINGS
    body = rows[1:]
    metrics, regions = cfseu.metrics.active().count(), Region.objects.count()
    regional = cfseu.metrics.regional().count()
    assert len(body) == metrics * 5 + regional * regions == 5 * 5 + 5 * 8
    assert body[0] == ["CFSEU", "suspects-charged", "Suspects charged", "2023-24", "Q1", "", ""]
    red_deer = ["CFSEU", "suspects-charged", "Arrests — suspects charged", "2023-24", "FY"]
    assert [*red_deer, "Red Deer", ""] in body
    assert all(row[-1] == "" for row in body)  # values blank
    assert {row[0] for row in body} == {"CFSEU"}


def test_the_report_template_is_limited_to_the_units_and_lists_every_region(dataset):
    units = [Unit.objects.get(code="CFSEU")]
    book = load_workbook(
        io.BytesIO(export_report_workbook("2023-24", units=units, every_region=True))
    )
    assert book.sheetnames == ["CFSEU", "Regions"]
    listed = [row[0] for row in book["Regions"].iter_rows(min_row=5, values_only=True)]
    names = list(Region.objects.values_list("name", flat=True))
    assert listed[: len(names)] == names and listed[len(names)] == "Total"


@pytest.mark.parametrize("layout", ["long-csv", "long-xlsx", "report"])
def test_a_template_imported_untouched_changes_nothing_through_the_pipeline(
    client, cfseu_clerk, layout
):
    client.force_login(cfseu_clerk)
    response = client.get(reverse(TEMPLATE), {"fiscal_year": "2023-24", "layout": layout})
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "2023-24 CFSEU" in disposition
    name = disposition.split('filename="')[1].rstrip('"')
    before = record()
    outcome = services.import_file(content=response.content, file_name=name, user=cfseu_clerk)
    assert not outcome.has_errors, outcome.problems
    assert outcome.counts["new"] == outcome.counts["update"] == 0
    assert record() == before


def test_a_template_imported_untouched_through_the_admin_writes_nothing(client, cfseu_clerk):
    client.force_login(cfseu_clerk)
    template = client.get(reverse(TEMPLATE), {"fiscal_year": "2023-24", "layout": "long-xlsx"})
    before = record()
    handle = io.BytesIO(template.content)
    handle.name = "template.xlsx"
    preview = client.post(
        reverse("admin:reporting_figure_import"),
        {"import_file": handle, "resource": "0", "format": ""},
    )
    assert "0 new, 0 updated, 0 unchanged, 65 skipped, 0 rejected" in preview.content.decode()
    form = preview.context["confirm_form"]
    client.post(reverse("admin:reporting_figure_process_import"), {f.name: f.value() for f in form})
    assert record() == before
    assert ImportBatch.objects.filter(
        status=ImportBatch.Status.CONFIRMED, file_name="template.xlsx", new=0, updated=0
    ).exists()


def test_templates_are_for_those_who_enter_figures(client, leader, dataset):
    client.force_login(leader)
    url = reverse(TEMPLATE)
    assert client.get(url, {"fiscal_year": "2023-24", "layout": "long-csv"}).status_code == 403


def test_the_import_page_and_the_grid_picker_offer_a_template(client, cfseu_clerk):
    client.force_login(cfseu_clerk)
    for url in (
        reverse("admin:reporting_figure_import"),
        reverse("admin:reporting_figure_grid_pick"),
    ):
        page = client.get(url).content.decode()
        assert "Download a template" in page
        assert reverse(TEMPLATE) in page
        assert "your unit (CFSEU)" in page


def test_the_import_form_has_no_format_select_the_file_says_what_it_is(client, cfseu_clerk):
    client.force_login(cfseu_clerk)
    page = client.get(reverse("admin:reporting_figure_import")).content.decode()
    assert "<select" not in page.split('id="upload-heading"')[1].split("</form>")[0]
    # A workbook named .csv is still read as the workbook it is.
    workbook = export_report_workbook("2023-24")
    handle = io.BytesIO(workbook)
    handle.name = "misnamed.csv"
    preview = client.post(
        reverse("admin:reporting_figure_import"),
        {"import_file": handle, "resource": "0", "format": ""},
    )
    assert "confirm_form" in preview.context and preview.context["confirm_form"]
