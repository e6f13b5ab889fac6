"""The summary on a phone reads in a few screens (issue 23): at 390 px each
unit is a folded section and its charts sit behind "Show charts"; on the
desktop and in print everything is open; no label breaks inside a word; a
sidebar never stands alone on a printed page (Letter and A4)."""

import subprocess

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from tests.browser.test_report_layout import (
    PDFTOTEXT,
    open_as,
    open_every_section,
    overflow,
    pdftotext,  # noqa: F401 - a fixture
    site,  # noqa: F401 - a fixture
)

SUMMARY = reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"})
PHONE_HEIGHT_LIMIT = 5000

# Words split across two lines inside a label: a range per word, more than one
# line box for a word means the browser broke it.
BROKEN_WORDS = """(selector) => {
  const broken = [];
  for (const element of document.querySelectorAll(selector)) {
    if (!element.getClientRects().length) continue;
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent;
      for (const match of text.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


def all_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def test_the_phone_page_reads_in_a_few_screens_with_every_section_closed(
    browser,
    site,  # noqa: F811
    artifacts,
):
    context, page = open_as(browser, site, 390)
    page.goto(site + SUMMARY)
    units = page.locator("details.unit-fold")
    assert units.count() == 6
    for fold in units.all():
        assert fold.get_attribute("open") is None  # folded on a phone
    # The headline figures and the ALERT-wide totals come first, and show.
    assert page.locator("#headlines-heading").is_visible()
    assert page.locator("#table-ALERT").is_visible()
    first_unit = page.locator("#unit-ICE").bounding_box()["y"]
    assert page.locator("#table-ALERT").bounding_box()["y"] < first_unit
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= PHONE_HEIGHT_LIMIT, height
    assert overflow(page) <= 0
    # axe-core on this page as it opens: test_every_leadership_page_fits_the_width_and_passes_axe.
    page.screenshot(path=str(artifacts / "summary-phone-closed.png"), full_page=True)

    # A unit opens on a tap and shows its table; its charts stay behind "Show charts".
    page.locator("#unit-ICE summary.unit-summary").click()
    assert page.locator("#table-ICE").is_visible()
    assert not page.locator("#unit-ICE svg.chart").first.is_visible()
    page.get_by_text("Show charts").first.click()
    assert page.locator("#unit-ICE svg.chart").first.is_visible()
    assert page.locator("#unit-ICE .chart-summary").inner_text() == "Hide charts"

    # Every section open: still no sideways scrolling, no word broken in a
    # label, and axe finds nothing.
    open_every_section(page)
    assert overflow(page) <= 0
    assert page.evaluate(BROKEN_WORDS, "table.figures tbody th, table.figures thead th") == []
    assert all_violations(page) == []
    page.screenshot(path=str(artifacts / "summary-phone-open.png"), full_page=True)
    context.close()


def test_the_regional_headings_stand_apart_on_a_phone(browser, site):  # noqa: F811
    context, page = open_as(browser, site, 390)
    page.goto(site + SUMMARY)
    open_every_section(page)
    headings = page.locator("#regional-CFSEU thead th").all()
    boxes = [heading.bounding_box() for heading in headings]
    texts = page.evaluate(
        """() => [...document.querySelectorAll('#regional-CFSEU thead th')].map(th => {
            const r = document.createRange(); r.selectNodeContents(th);
            const b = r.getBoundingClientRect(); return [b.left, b.right];
        })"""
    )
    # Each heading's text keeps clear of the next one's by at least 6 px.
    for (_, right), (left, _) in zip(texts, texts[1:], strict=False):
        assert left - right >= 6, (texts, boxes)
    context.close()


def test_on_the_desktop_every_section_and_its_charts_are_open(browser, site):  # noqa: F811
    context, page = open_as(browser, site, 1400)
    page.goto(site + SUMMARY)
    for fold in page.locator("details.fold-on-phone").all():
        assert fold.get_attribute("open") is not None
    assert page.locator("#unit-ICE svg.chart").first.is_visible()
    # axe-core on this page: test_every_leadership_page_fits_the_width_and_passes_axe.
    # Folded by a reader, a section still prints open.
    page.locator("#unit-ICE summary.unit-summary").click()
    assert not page.locator("#table-ICE").is_visible()
    page.emulate_media(media="print")
    assert page.locator("#table-ICE").is_visible()
    assert page.locator("#unit-ICE svg.chart").first.is_visible()
    context.close()


@pytest.mark.parametrize("paper", ["Letter", "A4"])
def test_a_sidebar_never_stands_alone_on_a_printed_page(
    browser,
    site,  # noqa: F811
    pdftotext,  # noqa: F811
    tmp_path,
    paper,
):
    context, page = open_as(browser, site, 1400)
    page.goto(site + SUMMARY)
    page.emulate_media(media="print")
    path = tmp_path / f"summary-{paper}.pdf"
    path.write_bytes(page.pdf(format=paper, print_background=True))
    text = subprocess.run(
        [PDFTOTEXT, "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    sidebars = {
        "Child sexual abuse material (CSAM)": "Total photos/videos",  # ICE's last row
        "Ghost guns": "Firearms investigations",  # the Firearms unit's heading
    }
    for title, companion in sidebars.items():
        holding = [p for p in pages if title in p]
        assert len(holding) == 1, (paper, title)
        assert companion in holding[0], (paper, title, holding[0][:400])
    context.close()


@pytest.mark.parametrize("width", [390, 1400])
def test_a_metrics_series_page_fits_and_passes_axe(browser, site, width, artifacts):  # noqa: F811
    context, page = open_as(browser, site, width)
    page.goto(site + SUMMARY)
    if width == 390:
        page.locator("#unit-CFSEU summary.unit-summary").click()
    page.locator("#table-CFSEU").get_by_role("link", name="Charges laid").click()
    page.wait_for_url(site + reverse("series:metric", args=["CFSEU", "charges-laid"]))
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Charges laid, every year on record"
    )
    chart = page.locator("svg.chart-series").first
    assert chart.bounding_box()["height"] > 50
    assert page.locator(".small-multiple svg.chart").count() == 8
    assert overflow(page) <= 0
    assert all_violations(page) == []
    page.screenshot(path=str(artifacts / f"series-{width}.png"), full_page=True)
    context.close()
