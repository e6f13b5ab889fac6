"""A clerk, in a real browser: download the report workbook, change one figure,
import it, see exactly one change, confirm, find it in the figure's history."""

import os
from pathlib import Path

from django.urls import reverse
from openpyxl import load_workbook

from reporting.models import Figure, ImportBatch

# ALERT_SCREENSHOTS=1 refreshes the manual's screenshots in docs/.
DOCS = Path(__file__).resolve().parents[2] / "docs" if os.environ.get("ALERT_SCREENSHOTS") else None


def test_clerk_changes_one_figure_through_the_report_workbook(
    live_server, transactional_db, dataset, clerk, page, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = page
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("input[name=username]", "bob")
    page.fill("input[name=password]", "correct horse battery")
    page.click("input[type=submit]")

    page.goto(live_server.url + reverse("admin:reporting_figure_changelist"))
    page.click("text=Report workbook")
    with page.expect_download() as download:
        page.click("text=ALERT results 2023-24.xlsx")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "ALERT results 2023-24.xlsx"

    book = load_workbook(saved)
    assert (book["ICE"]["A5"].value, book["ICE"]["D4"].value, book["ICE"]["D5"].value) == (
        "File intakes",
        "Q3",
        1149,
    )
    book["ICE"]["D5"] = 1150
    book.save(saved)

    page.goto(live_server.url + reverse("admin:reporting_figure_import"))
    page.set_input_files("input[name=import_file]", str(saved))
    page.click("input[type=submit]")
    page.wait_for_selector("text=Confirm import")
    text = page.inner_text("#content")
    assert "Preview: 0 new, 1 updated, 158 unchanged" in page.inner_text("body")
    assert page.locator("table.import-preview tr.update").count() == 1
    assert page.locator("table.import-preview tr.new").count() == 0
    assert "1,149 → 1,150" in text and "File intakes" in text
    page.screenshot(path=str((DOCS or tmp_path) / "import-preview.png"), full_page=True)
    assert (
        Figure.objects.get(
            metric__unit__code="ICE", metric__code="file-intakes", period__period="Q3", region=None
        ).value
        == 1149
    )

    page.click("input[name=confirm]")
    page.wait_for_selector("text=confirmed")
    assert "1 updated" in page.inner_text(".messagelist")
    figure = Figure.objects.get(
        metric__unit__code="ICE", metric__code="file-intakes", period__period="Q3", region=None
    )
    assert figure.value == 1150
    batch = ImportBatch.objects.get(status=ImportBatch.Status.CONFIRMED, user=clerk)
    assert figure.import_batch == batch and batch.file_name == "ALERT results 2023-24.xlsx"

    page.goto(live_server.url + reverse("admin:reporting_figure_history", args=[figure.pk]))
    assert f"bob, import #{batch.pk} (ALERT results 2023-24.xlsx)" in page.inner_text("#content")
    page.screenshot(path=str((DOCS or tmp_path) / "import-history.png"), full_page=True)
