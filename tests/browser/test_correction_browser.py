"""A correction as leadership and an administrator live it, in a real browser
at 1400 and 390 px: 2024-25 published incomplete (acknowledged), then a
correction of 2023-24 prepared, a figure changed in the entry grid, the year
republished; the leadership page before, during and after. Screenshots for
the manuals (docs/correction-*.png) with ALERT_SCREENSHOTS=1."""

import os
import shutil
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from reporting.roles import ADMINISTRATORS, LEADERSHIP
from tests.browser.test_publication_browser import log_in, violations

DOCS = Path(__file__).resolve().parents[2] / "docs"
WIDTHS = [1400, 390]
SUMMARY = reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"})


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
        width: browser.new_context(viewport={"width": width, "height": 900}) for width in WIDTHS
    }
    carols = {width: reader.new_page() for width, reader in readers.items()}

    # 2024-25, incomplete (CFSEU has two quarters, the other units nothing),
    # published with its incompleteness acknowledged.
    log_in(alice, site, "alice", reverse("admin:index"))
    publish(alice, site, FiscalYear.objects.get(label="2024-25"))

    # Before: leadership reads 2023-24 as release 1.
    for width, carol in carols.items():
        log_in(carol, site, "carol", SUMMARY)
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
        carol.goto(site + SUMMARY)
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
        carol.goto(site + SUMMARY)
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
