"""Publication in a real browser: a draft marked on screen, in the title and on
every printed page (390 and 1400 px); an administrator's review -> publish of a
correction; the revision as readers see it; a whole correction as leadership
and an administrator live it, at 1400 and 390 px side by side."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import expect

from reporting.roles import ADMINISTRATORS, LEADERSHIP
from tests.browser.conftest import sign_in, violations

PDF_PAGE = re.compile(rb"/Type\s*/Page(?![s\w])")
DOCS = Path(__file__).resolve().parents[2] / "docs"
WIDTHS = [390, 1400]


@pytest.fixture
def site(transactional_db, live_server, published_dataset):
    from django.contrib.auth.models import Group, User

    from reporting import services
    from reporting.models import ReportingPeriod
    from units.models import Metric

    for name, group in [("carol", LEADERSHIP), ("alice", ADMINISTRATORS)]:
        user = User.objects.create_user(name, password="correct horse battery", is_staff=True)
        user.groups.add(Group.objects.get(name=group))
    alice = User.objects.get(username="alice")
    services.create_fiscal_year(label="2024-25", user=alice)
    metric = Metric.objects.get(unit__code="CFSEU", code="charges-laid")
    for period, value in [("Q1", "100"), ("Q2", "165")]:
        services.record_figure(
            metric=metric,
            period=ReportingPeriod.objects.get(fiscal_year__label="2024-25", period=period),
            value=value,
            user=alice,
        )
    return live_server.url


def log_in(page, site: str, username: str, next_url: str) -> None:
    sign_in(page.context, site, username)
    page.goto(site + next_url)


def printed_pages(page, path: Path) -> list[str]:
    """The text of each printed page (pdftotext, page by page)."""
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True)
    page.emulate_media(media="screen")
    path.write_bytes(pdf)
    count = len(PDF_PAGE.findall(pdf))
    assert count > 1
    return [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for n in range(1, count + 1)
    ]


def screenshot(page, artifacts: Path, name: str) -> None:
    target = artifacts / name
    page.screenshot(path=str(target), full_page=False)
    if os.environ.get("ALERT_SCREENSHOTS") == "1":
        shutil.copy(target, DOCS / name)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")
@pytest.mark.parametrize("width", WIDTHS)
def test_a_draft_is_marked_on_screen_in_the_title_and_on_every_printed_page(
    browser, site, artifacts, width
):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    log_in(page, site, "carol", "/")
    # Home is the newest published year, with a notice of the draft.
    assert page.url == site + reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"})
    assert violations(page) == []
    page.get_by_role("link", name="read the 2024-25 draft").click()
    page.wait_for_load_state()
    assert page.title().startswith("Draft · Annual results 2024-25")
    assert page.get_by_text("Draft — not yet published.").is_visible()
    card = page.locator('[data-metric="CFSEU/charges-laid"]').first
    assert "Q1–Q2 vs Q1–Q2 2023-24" in card.inner_text()
    assert violations(page) == []

    texts = printed_pages(page, artifacts / f"draft-2024-25-{width}.pdf")
    for number, text in enumerate(texts, start=1):
        # One running header (print_running_header): the year and the draft
        # marking, exactly once on each page.
        assert "ALERT annual results 2024-25" in text, f"page {number} of {len(texts)}"
        assert text.count("DRAFT — not yet published") == 1, f"page {number} of {len(texts)}"
    context.close()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")
def test_an_administrator_reviews_and_publishes_a_correction(browser, site, artifacts):
    from reporting import services
    from reporting.models import Figure, FiscalYear

    year = FiscalYear.objects.get(label="2023-24")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    log_in(page, site, "alice", reverse("admin:reporting_fiscalyear_change", args=[year.pk]))

    # Prepare a correction, with the reason.
    page.get_by_role("link", name="Prepare a correction of 2023-24").click()
    page.get_by_label("Reason").fill("CFSEU Q4 charges laid mistyped")
    page.get_by_role("button", name="Prepare a correction of 2023-24").click()
    expect(page.get_by_text("A correction of 2023-24 is being prepared")).to_be_visible()

    # The correction: Q4 231 -> 233, which no longer adds up to the printed year.
    q4 = (
        Figure.objects.for_year(year)
        .for_unit("CFSEU")
        .unit_wide()
        .get(metric__code="charges-laid", period__period="Q4")
    )
    # By Alice: the shipped quarters are approved, so only an administrator corrects them.
    alice = User.objects.get(username="alice")
    services.record_figure(metric=q4.metric, period=q4.period, value="233", user=alice)

    page.get_by_role("link", name="Publish 2023-24").click()
    expect(page.get_by_role("heading", name="Publish 2023-24")).to_be_visible()
    expect(page.get_by_text("CFSEU · Charges laid Q4: 231 → 233")).to_be_visible()
    screenshot(page, artifacts, "publication-review.png")

    # Without the acknowledgement and the revision's reason it is refused.
    page.get_by_label("I have reviewed 2023-24").check()
    page.get_by_role("button", name="Publish 2023-24").click()
    expect(page.locator("#publish-problems")).to_be_visible()
    year.refresh_from_db()
    assert not year.is_locked

    page.locator("textarea[name^=ack-]").fill("Q4 is right; the printed year is being checked.")
    page.get_by_label("Reason for this revision").fill("Q4 corrected from the unit's case log")
    page.get_by_label("Reason for publishing 2023-24 at").fill("Firearms printed no quarters.")
    page.get_by_label("I have reviewed 2023-24").check()
    page.get_by_role("button", name="Publish 2023-24").click()
    expect(page.get_by_text("Published 2023-24 (release 2).")).to_be_visible()
    year.refresh_from_db()
    assert year.is_locked
    context.close()

    # Leadership sees the revision, and "Published" on every printed page.
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    log_in(page, site, "carol", reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"}))
    revision = page.locator(".revision-list > li")
    assert "CFSEU · Charges laid Q4: 231 → 233" in revision.inner_text()
    assert "Q4 corrected from the unit's case log" in revision.inner_text()
    assert page.get_by_role("link", name="Release 1 as published").is_visible()
    assert violations(page) == []
    page.locator("#revisions-heading").scroll_into_view_if_needed()
    screenshot(page, artifacts, "summary-revisions.png")
    texts = printed_pages(page, artifacts / "published-2023-24.pdf")
    for number, text in enumerate(texts, start=1):
        assert "ALERT annual results 2023-24" in text, f"page {number} of {len(texts)}"
        assert "Published" in text, f"page {number} of {len(texts)}"
        assert "DRAFT" not in text
    context.close()


# A correction as leadership and an administrator live it, at 1400 and 390 px:
# 2024-25 published incomplete (acknowledged), then a correction of 2023-24
# prepared, a figure changed in the entry grid, the year republished; the
# leadership page before, during and after. Screenshots for the manuals
# (docs/correction-*.png) with ALERT_SCREENSHOTS=1.

SUMMARY_2023 = reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"})


def shot(page, artifacts: Path, name: str) -> None:
    target = artifacts / name
    page.screenshot(path=str(target), full_page=False)
    if os.environ.get("ALERT_SCREENSHOTS") == "1":
        shutil.copy(target, DOCS / name)


def cfseu_charges(page):
    return page.locator('#table-CFSEU tr[data-metric="charges-laid"]')


def publish(page, site: str, year, *, reason: str = "") -> None:
    """The administrator's review of ``year``: every error acknowledged, the
    incompleteness acknowledged, the revision's reason, then publish."""
    page.goto(site + reverse("admin:reporting_fiscalyear_publish", args=[year.pk]))
    for field in page.locator("textarea[name^=ack-]").all():
        field.fill("As printed; checked against the unit's log.")
    incomplete = page.locator("#id_incomplete_reason")
    if incomplete.count():
        incomplete.fill("Units report late this year; published as entered.")
    if reason:
        page.get_by_label("Reason for this revision").fill(reason)
    page.get_by_label(f"I have reviewed {year.label}").check()
    page.get_by_role("button", name=f"Publish {year.label}").click()
    expect(page.get_by_text(f"Published {year.label} (release")).to_be_visible()


def test_a_correction_never_takes_the_published_year_from_leadership(browser, site, artifacts):
    from reporting.models import FiscalYear, Metric, Unit

    admin = browser.new_context(viewport={"width": 1400, "height": 1000})
    alice = admin.new_page()
    # Leadership reads at both widths, side by side, through the one correction.
    readers = {
        width: browser.new_context(viewport={"width": width, "height": 900})
        for width in (1400, 390)
    }
    carols = {width: reader.new_page() for width, reader in readers.items()}

    # 2024-25, incomplete (CFSEU has two quarters, the other units nothing),
    # published with its incompleteness acknowledged.
    log_in(alice, site, "alice", reverse("admin:index"))
    publish(alice, site, FiscalYear.objects.get(label="2024-25"))

    # Before: leadership reads 2023-24 as release 1.
    for width, carol in carols.items():
        log_in(carol, site, "carol", SUMMARY_2023)
        expect(carol.get_by_text("This page is release 1 of 2023-24")).to_be_visible()
        expect(cfseu_charges(carol).locator("td").nth(3)).to_have_text("231")
        if width >= 600:
            cfseu_charges(carol).scroll_into_view_if_needed()
        shot(carol, artifacts, f"correction-before-{width}.png")

    # The administrator prepares a correction, with the reason.
    year = FiscalYear.objects.get(label="2023-24")
    alice.goto(site + reverse("admin:reporting_fiscalyear_change", args=[year.pk]))
    alice.get_by_role("link", name="Prepare a correction of 2023-24").click()
    alice.get_by_label("Reason").fill("CFSEU's Q4 charges laid were mistyped")
    alice.get_by_role("button", name="Prepare a correction of 2023-24").click()
    expect(alice.get_by_text("A correction of 2023-24 is being prepared")).to_be_visible()

    # ... and changes the figure in the entry grid: Q4 231 -> 233.
    cfseu = Unit.objects.get(code="CFSEU")
    metric = Metric.objects.get(unit=cfseu, code="charges-laid")
    alice.goto(site + reverse("admin:reporting_figure_grid", args=[cfseu.pk, year.pk]))
    alice.locator(f'input[name="v-{metric.pk}-Q4"]').fill("233")
    alice.get_by_role("button", name="Save CFSEU figures").first.click()
    alice.wait_for_load_state()

    # During: home still lands on a published year, and 2023-24 is release 1,
    # with the staff notice of the correction (leadership reads drafts).
    for width, carol in carols.items():
        carol.goto(site + "/")
        assert "is-published" in carol.locator("body").get_attribute("class")
        carol.goto(site + SUMMARY_2023)
        expect(cfseu_charges(carol).locator("td").nth(3)).to_have_text("231")
        expect(carol.get_by_text("A correction of 2023-24 is being prepared")).to_be_visible()
        assert violations(carol) == [], width
        shot(carol, artifacts, f"correction-during-{width}.png")
        carol.get_by_role("link", name="Read the correction in preparation").click()
        expect(carol.get_by_text("Draft of a correction — not yet published.")).to_be_visible()
        expect(cfseu_charges(carol).locator("td").nth(3)).to_have_text("233")

    # The administrator republishes through the same review: release 2.
    publish(alice, site, year, reason="Q4 corrected from the unit's case log")

    # After: release 2, the revised cell marked and explained.
    for width, carol in carols.items():
        carol.goto(site + SUMMARY_2023)
        expect(carol.get_by_text("This page is release 2 of 2023-24")).to_be_visible()
        q4 = cfseu_charges(carol).locator("td").nth(3)
        expect(q4).to_contain_text("233")
        mark = q4.locator("sup.revision-ref a")
        anchor = mark.get_attribute("href")
        assert anchor.startswith("#revision-2-")
        if mark.is_visible():  # on a phone the quarter columns fold away; the list stays
            mark.click()
        note = carol.locator(anchor)
        expect(note).to_contain_text("Revised in release 2")
        expect(note).to_contain_text("231 → 233")
        expect(note).to_contain_text("Q4 corrected from the unit's case log")
        assert violations(carol) == [], width
        if width >= 600:
            cfseu_charges(carol).scroll_into_view_if_needed()
        else:  # the phone folds the units' tables away: the year's revisions instead
            carol.locator("#revisions-heading").scroll_into_view_if_needed()
        shot(carol, artifacts, f"correction-after-{width}.png")

        # Release 1 stays readable as it was published.
        carol.goto(site + reverse("reporting:release_page", args=["2023-24", 1]))
        expect(cfseu_charges(carol).locator("td").nth(3)).to_have_text("231")
    admin.close()
    for reader in readers.values():
        reader.close()
