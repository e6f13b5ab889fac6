"""A clerk, in a real browser: download a template for their unit, fill it,
import it with a mistake, read the reason with the keyboard alone, fix it,
import it; an administrator then reads a figure's history. The import pages
pass axe-core and do not overflow at 390 px; the grid keeps the keyboard
where the clerk needs it."""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reporting.models import Figure, FiscalYear
from tests.browser.conftest import sign_in, violations
from units.models import Unit

DOCS = Path(__file__).resolve().parents[2] / "docs" if os.environ.get("ALERT_SCREENSHOTS") else None
WIDE, NARROW = {"width": 1400, "height": 900}, {"width": 390, "height": 844}


@pytest.fixture
def site(transactional_db, live_server, dataset, clerk, administrator, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The shipped years as drafts (dataset): the clerk's file writes figures into 2023-24.
    Unit.objects.get(code="CFSEU").data_entry_users.add(clerk)
    clerk.first_name, clerk.last_name = "Bob", "Clerk"
    clerk.save()
    return live_server.url


def log_in(page, site: str, username: str) -> None:
    page.goto(site + reverse("admin:login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse battery")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the focus is on ``selector``, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def shot(page, tmp_path, name: str) -> None:
    page.screenshot(path=str((DOCS or tmp_path) / name), full_page=True)


def test_clerk_fills_a_template_fixes_a_mistake_by_keyboard_and_imports_it(
    site, browser, tmp_path, clerk, administrator
):
    context = browser.new_context(viewport=WIDE, accept_downloads=True)
    page = context.new_page()
    log_in(page, site, "bob")
    import_url = site + reverse("admin:reporting_figure_import")
    page.goto(import_url)
    assert page.locator("select[name=format]").count() == 0  # recognised from the file
    assert page.get_by_role("heading", name="What the file can look like").is_visible()
    assert violations(page) == []
    shot(page, tmp_path, "import-page.png")
    page.set_viewport_size(NARROW)
    assert no_sideways_scroll(page)
    page.set_viewport_size(WIDE)

    # Download a template: the long form of 2023-24 for CFSEU, as a workbook.
    page.select_option("#id_template_year", "2023-24")
    page.check("input[name=layout][value=long-xlsx]")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download a template").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "ALERT long form template 2023-24 CFSEU.xlsx"

    # Fill two figures, one of them wrong (a fraction of a count).
    book = load_workbook(saved)
    sheet = book.active
    # unit, metric, metric_label (for the reader), fiscal_year, period, region, value
    rows = {(r[1].value, r[4].value, r[5].value or ""): r for r in sheet.iter_rows(min_row=2)}
    rows[("firearms-seized", "Q1", "")][6].value = "12.5"
    rows[("suspects-charged", "FY", "Calgary")][6].value = 111
    book.save(saved)

    page.set_input_files("input[name=import_file]", str(saved))
    page.focus("input[value='Check the file']")
    page.keyboard.press("Enter")
    page.wait_for_selector("#problems-heading")

    # The reason, without a mouse: Tab to the summary's link, follow it, and
    # the row's problem is on screen beside the row.
    summary = page.locator(".import-problems")
    assert "Not a figure (1)" in summary.inner_text()
    assert "12.5 is not a whole number" in summary.inner_text()
    tab_to(page, ".import-problems a[href^='#row-']")
    assert page.evaluate("document.activeElement.textContent") == "row 12"
    page.keyboard.press("Enter")
    row = page.locator("#row-12")
    assert page.evaluate("location.hash") == "#row-12"
    problem = row.locator("td.problem")
    assert problem.is_visible()
    assert page.evaluate(
        "(el) => { const r = el.getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= innerHeight; }",
        problem.element_handle(),
    )
    assert problem.inner_text().startswith("column “value”: 12.5 is not a whole number")
    assert row.locator("th").inner_text() == "row 12"
    assert violations(page) == []
    shot(page, tmp_path, "import-errors.png")
    page.set_viewport_size(NARROW)
    assert no_sideways_scroll(page)
    page.set_viewport_size(WIDE)
    assert not Figure.objects.filter(metric__code="firearms-seized", value=12).exists()

    # Fix it and import again.
    rows[("firearms-seized", "Q1", "")][6].value = 12
    book.save(saved)
    page.set_input_files("input[name=import_file]", str(saved))
    page.focus("input[value='Check the file']")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Confirm import")
    assert "Preview: 0 new, 2 updated" in page.inner_text(".messagelist")
    assert violations(page) == []
    shot(page, tmp_path, "import-template-preview.png")
    page.set_viewport_size(NARROW)
    assert no_sideways_scroll(page)
    page.set_viewport_size(WIDE)
    page.focus("input[name=confirm]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=confirmed")
    seized = Figure.objects.get(
        metric__unit__code="CFSEU",
        metric__code="firearms-seized",
        period__period="Q1",
        period__fiscal_year__label="2023-24",
        region=None,
    )
    assert seized.value == 12
    batch = seized.import_batch
    context.close()

    # An administrator reads that figure's history.
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    sign_in(context, site, "alice")
    page.goto(site + reverse("admin:reporting_figure_history", args=[seized.pk]))
    newest = page.locator("#change-history tbody tr").first
    cells = newest.locator("td")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} M[SD]T", cells.nth(0).inner_text())
    assert cells.nth(2).inner_text().endswith("→ 12")
    assert cells.nth(4).inner_text() == f"Bob Clerk, import #{batch.pk} ({saved.name})"
    assert violations(page) == []
    shot(page, tmp_path, "admin-history.png")
    context.close()


def test_the_grid_puts_the_focus_on_the_first_wrong_cell_and_enter_moves_down(
    site, browser, tmp_path
):
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    sign_in(context, site, "bob")
    cfseu = Unit.objects.get(code="CFSEU")
    year = FiscalYear.objects.get(label="2023-24")
    page.goto(site + reverse("admin:reporting_figure_grid", args=[cfseu.pk, year.pk]))
    charged = cfseu.metrics.get(code="suspects-charged")
    laid = cfseu.metrics.get(code="charges-laid")
    first = page.locator(f"#id_v-{charged.pk}-Q1")
    first.focus()
    page.keyboard.press("Enter")  # moves down the column, does not save
    assert page.evaluate("document.activeElement.id") == f"id_v-{laid.pk}-Q1"
    page.keyboard.press("Shift+Enter")
    assert page.evaluate("document.activeElement.id") == f"id_v-{charged.pk}-Q1"
    assert page.locator(".messagelist").count() == 0
    page.keyboard.type("x")
    page.locator(f"#id_v-{laid.pk}-Q3").fill("-4")
    page.get_by_role("button", name="Save CFSEU figures").first.click()
    page.wait_for_selector("#grid-errors")
    # The first wrong cell has the focus; the summary links to each wrong cell.
    assert page.evaluate("document.activeElement.id") == f"id_v-{charged.pk}-Q1"
    links = page.locator("#grid-errors a")
    assert links.count() == 2
    links.nth(1).focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == f"id_v-{laid.pk}-Q3"
    regional = " ".join(page.locator(".grid-table thead").nth(1).text_content().split())
    assert "Arrests — suspects charged" in regional
    shot(page, tmp_path, "admin-grid-errors.png")
    context.close()
