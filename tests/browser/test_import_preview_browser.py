"""The import preview a clerk can check, in a real browser at 1400 px and
390 px: metric labels, unit names, periods and regions as the report prints
them, values formatted as on the report; axe-core finds nothing."""

import csv
import io
from pathlib import Path

import pytest
from django.urls import reverse

from reporting.importing.longform import COLUMNS
from reporting.models import Figure
from reporting.roles import DATA_ENTRY
from tests.browser.conftest import shoot, sign_in, violations
from units.models import Unit

DOCS = Path(__file__).resolve().parents[2] / "docs"
PASSWORD = "correct horse battery"


@pytest.fixture
def import_site(transactional_db, live_server, dataset, settings, tmp_path):
    from django.contrib.auth.models import Group, User

    settings.MEDIA_ROOT = tmp_path / "media"
    bob = User.objects.create_user("bob", password=PASSWORD, is_staff=True)
    bob.groups.add(Group.objects.get(name=DATA_ENTRY))
    Unit.objects.get(code="CFSEU").data_entry_users.add(bob)
    return live_server.url


def _file(tmp_path) -> Path:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(["CFSEU", "est-value-of-drugs-seized", "2023-24", "Q1", "", "51200", "", ""])
    writer.writerow(["CFSEU", "suspects-charged", "2023-24", "FY", "red deer", "18", "", ""])
    path = tmp_path / "cfseu corrections.csv"
    path.write_text(out.getvalue())
    return path


@pytest.mark.parametrize("width", [1400, 390])
def test_the_import_preview_prints_labels_and_formatted_values(
    browser, import_site, artifacts, tmp_path, width
):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    target = reverse("admin:reporting_figure_import")
    sign_in(context, import_site, "bob")
    page.goto(import_site + target)
    page.set_input_files("input[name=import_file]", str(_file(tmp_path)))
    page.click("input[value='Check the file']")
    page.wait_for_selector("text=Confirm import")
    headings = page.locator("table.import-preview thead th").all_inner_texts()
    assert [h.strip().lower() for h in headings[:7]] == [
        "change",
        "unit",
        "metric",
        "fiscal year",
        "period",
        "region",
        "value",
    ]
    rows = [
        [cell.strip() for cell in row.locator("th, td").all_inner_texts()]
        for row in page.locator("table.import-preview tbody tr").all()
    ]
    assert rows[0][:7] == [
        "Update",
        "Combined Special Forces Enforcement",
        "Est. value of drugs seized",
        "2023-24",
        "Q1",
        "Unit-wide",
        "$906,814 → $51,200",
    ]
    assert rows[1][2:7] == ["Suspects charged", "2023-24", "Full year", "Red Deer", "17 → 18"]
    assert violations(page) == []
    if width == 1400:
        shoot(page, "import-preview-labels.png", artifacts)
    assert (
        Figure.objects.get(
            metric__code="est-value-of-drugs-seized",
            period__period="Q1",
            region=None,
            period__fiscal_year__label="2023-24",
        ).value
        == 906814
    )
    context.close()
