"""Publication in a real browser: a draft marked on screen, in the title and on
every printed page (390 and 1400 px); an administrator's review -> publish of a
correction; the revision as readers see it."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import expect

from reporting.roles import ADMINISTRATORS, LEADERSHIP
from tests.browser.conftest import sign_in

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


def violations(page) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']}" for v in Axe().run(page).response["violations"]
    ]


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
