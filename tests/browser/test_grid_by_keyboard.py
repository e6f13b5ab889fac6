"""The entry grid as a clerk uses it, in a real browser at 1400 px and 390 px:
a full quarter typed by keyboard alone (the keys counted against the count
docs/data-entry.md states), last year's figures and the running sum beside
the cells, each column's state and a returned quarter's comment; on a phone
one period at a time, no sideways scrolling, Save by tap. axe-core finds
nothing on the way."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from reporting import services
from reporting.formatting import format_figure
from reporting.models import Figure
from reporting.roles import ADMINISTRATORS, DATA_ENTRY
from tests.browser.conftest import shoot, sign_in, violations
from units.models import Unit

DOCS = Path(__file__).resolve().parents[2] / "docs"
PASSWORD = "correct horse battery"
# Q2 of CFSEU 2024-25, typed down the column (five unit-wide metrics).
TYPED = ["812", "64", "41", "97", "3"]


def documented_key_count() -> int:
    """The keystrokes docs/data-entry.md promises for a quarter of five figures."""
    text = (DOCS / "data-entry.md").read_text()
    return int(re.search(r"at most \*\*(\d+) keystrokes\*\*", text).group(1))


@pytest.fixture
def grid_site(transactional_db, live_server, dataset):
    from django.contrib.auth.models import Group, User

    bob = User.objects.create_user(
        "bob", password=PASSWORD, is_staff=True, first_name="Bob", last_name="Tremblay"
    )
    bob.groups.add(Group.objects.get(name=DATA_ENTRY))
    alice = User.objects.create_user(
        "alice", password=PASSWORD, is_staff=True, first_name="Alice", last_name="Martin"
    )
    alice.groups.add(Group.objects.get(name=ADMINISTRATORS))
    cfseu = Unit.objects.get(code="CFSEU")
    cfseu.data_entry_users.add(bob)
    year = services.create_fiscal_year(label="2024-25", user=alice)
    q1 = year.periods.get(period="Q1")
    for metric, value in zip(
        cfseu.metrics.active().order_by("display_order", "code"), TYPED, strict=True
    ):
        services.record_figure(metric=metric, period=q1, value=int(value) + 1, user=bob)
    services.move_quarter(action="submit", unit=cfseu, fiscal_year=year, quarter="Q1", user=bob)
    services.move_quarter(action="approve", unit=cfseu, fiscal_year=year, quarter="Q1", user=alice)
    return live_server.url, cfseu, year, bob, alice


def log_in(page, site: str, username: str, path: str) -> None:
    sign_in(page.context, site, username)
    page.goto(site + path)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1400, 390])
def test_a_clerk_enters_a_quarter_by_keyboard_and_reads_its_context(
    browser, grid_site, artifacts, width
):
    site, cfseu, year, bob, alice = grid_site
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    grid = reverse("admin:reporting_figure_grid", args=[cfseu.pk, year.pk])
    log_in(page, site, "bob", grid)
    metrics = list(cfseu.metrics.active().order_by("display_order", "code"))

    # The first empty cell of the first open quarter has the focus.
    first = page.locator(f"#id_v-{metrics[0].pk}-Q2")
    assert page.evaluate("document.activeElement.id") == f"id_v-{metrics[0].pk}-Q2"
    assert first.is_visible()
    # Last year's Q2 and this year's Q1 under the cell, as the report prints them.
    context_text = page.locator(f"#ctx_v-{metrics[0].pk}-Q2").inner_text()
    last_year = Figure.objects.get(
        metric=metrics[0], period__fiscal_year__label="2023-24", period__period="Q2", region=None
    )
    assert f"2023-24 Q2: {format_figure(last_year.value)}" in context_text
    assert "Q1: 813" in context_text
    # Q1's state, with who and when in Edmonton time.
    heading = page.locator("#unit-wide-form thead th[data-col='1']").inner_text()
    assert "Approved" in heading and "Alice Martin" in heading
    assert re.search(r"M[SD]T", heading)
    assert violations(page) == []

    keys = 0
    for number, value in enumerate(TYPED):
        for character in value:
            page.keyboard.press(character)
            keys += 1
        if number < len(TYPED) - 1:
            page.keyboard.press("Enter")
            keys += 1
    sum_text = page.locator(f"#ctx_v-{metrics[0].pk}-FY [data-sum]").inner_text()
    assert sum_text == "Sum of Q1–Q2: 1,625"  # 813 + 812, as it is typed
    page.keyboard.press("Control+s")
    keys += 1
    page.wait_for_selector(".messagelist")
    assert "Saved CFSEU 2024-25: 5 figures recorded." in page.locator(".messagelist").inner_text()
    assert keys <= documented_key_count()
    saved = {
        f.metric_id: f.value
        for f in Figure.objects.filter(period__fiscal_year=year, period__period="Q2")
    }
    assert saved == {m.pk: Decimal(v) for m, v in zip(metrics, TYPED, strict=True)}

    # Enter on a column's last row goes to the top of the next column.
    page.locator(f"#id_v-{metrics[-1].pk}-Q3").focus()
    page.keyboard.press("Enter")
    if width == 1400:
        assert page.evaluate("document.activeElement.id") == f"id_v-{metrics[0].pk}-Q4"
    if width == 1400:
        shoot(page, "admin-grid.png", artifacts)

    # Returned with a comment: the clerk reads it above the grid and in the column.
    services.move_quarter(action="submit", unit=cfseu, fiscal_year=year, quarter="Q2", user=bob)
    services.move_quarter(
        action="return",
        unit=cfseu,
        fiscal_year=year,
        quarter="Q2",
        user=alice,
        text="Q2 charges look doubled.",
    )
    page.goto(site + grid)
    returned = page.locator(".grid-returned")
    assert "Q2 was returned by Alice Martin" in returned.inner_text()
    assert "Q2 charges look doubled." in returned.inner_text()
    assert "Returned" in page.locator("#unit-wide-form thead th[data-col='2']").inner_text()
    assert violations(page) == []
    assert no_sideways_scroll(page)
    if width == 1400:
        shoot(page, "admin-grid-returned.png", artifacts)
    context.close()


def test_on_a_phone_the_grid_shows_one_period_and_saves_by_tap(browser, grid_site, artifacts):
    site, cfseu, year, bob, alice = grid_site
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    grid = reverse("admin:reporting_figure_grid", args=[cfseu.pk, year.pk])
    log_in(page, site, "bob", grid)
    metric = cfseu.metrics.active().order_by("display_order", "code").first()
    assert no_sideways_scroll(page)
    assert page.locator(f"#id_v-{metric.pk}-Q2").is_visible()
    assert not page.locator(f"#id_v-{metric.pk}-Q3").is_visible()
    page.get_by_text("Q3", exact=True).tap()
    cell = page.locator(f"#id_v-{metric.pk}-Q3")
    assert cell.is_visible() and not page.locator(f"#id_v-{metric.pk}-Q2").is_visible()
    assert no_sideways_scroll(page)
    cell.tap()
    cell.fill("1,204")
    assert violations(page) == []
    shoot(page, "admin-grid-phone.png", artifacts)
    page.locator("#unit-wide-form [data-save]").last.tap()
    page.wait_for_selector(".messagelist")
    assert "1 figure recorded" in page.locator(".messagelist").inner_text()
    assert (
        Figure.objects.get(metric=metric, period__fiscal_year=year, period__period="Q3").value
        == 1204
    )
    assert no_sideways_scroll(page)
    context.close()


def test_without_javascript_the_grid_still_saves_from_the_keyboard(browser, grid_site):
    """Progressive enhancement: no script, and Enter in a cell still saves its table."""
    site, cfseu, year, bob, alice = grid_site
    context = browser.new_context(
        viewport={"width": 1400, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    grid = reverse("admin:reporting_figure_grid", args=[cfseu.pk, year.pk])
    log_in(page, site, "bob", grid)
    metric = cfseu.metrics.active().order_by("display_order", "code").first()
    page.locator(f"#id_v-{metric.pk}-Q2").focus()  # autofocus without a script
    page.keyboard.type("77")
    page.keyboard.press("Enter")
    page.wait_for_selector(".messagelist")
    assert "Saved CFSEU 2024-25: 1 figure recorded." in page.locator(".messagelist").inner_text()
    assert (
        Figure.objects.get(metric=metric, period__fiscal_year=year, period__period="Q2").value == 77
    )
    context.close()
