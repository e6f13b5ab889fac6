"""The reporting cycle's board in a real browser, at 1400 px and 390 px: a clerk
submits a quarter, an administrator returns one with a comment and approves
another, the clerk reads the comment; axe finds nothing on the way."""

from pathlib import Path

import pytest
from django.urls import reverse

from reporting import services
from reporting.models import FiscalYear, UnitQuarter
from reporting.roles import ADMINISTRATORS, DATA_ENTRY
from tests.browser.conftest import shoot, sign_in, violations
from units.models import Unit

DOCS = Path(__file__).resolve().parents[2] / "docs"
PASSWORD = "correct horse battery"


@pytest.fixture
def cycle_site(transactional_db, live_server, dataset):
    from django.contrib.auth.models import Group, User

    bob = User.objects.create_user("bob", password=PASSWORD, is_staff=True)
    bob.groups.add(Group.objects.get(name=DATA_ENTRY))
    alice = User.objects.create_user("alice", password=PASSWORD, is_staff=True)
    alice.groups.add(Group.objects.get(name=ADMINISTRATORS))
    for code in ("ICE", "CFSEU"):
        Unit.objects.get(code=code).data_entry_users.add(bob)
    year = FiscalYear.objects.get(label="2023-24")
    ice, cfseu = Unit.objects.get(code="ICE"), Unit.objects.get(code="CFSEU")
    for unit, quarter in ((ice, "Q1"), (cfseu, "Q1"), (cfseu, "Q2")):
        services.move_quarter(
            action="submit", unit=unit, fiscal_year=year, quarter=quarter, user=bob
        )
    services.move_quarter(action="approve", unit=cfseu, fiscal_year=year, quarter="Q1", user=alice)
    return live_server.url


def log_in(page, site: str, username: str) -> None:
    sign_in(page.context, site, username)
    page.goto(site + reverse(BOARD))


BOARD = "admin:reporting_unitquarter_changelist"


@pytest.mark.parametrize("width", [1400, 390])
def test_the_board_at_work_in_a_browser(page, cycle_site, artifacts, width):
    page.set_viewport_size({"width": width, "height": 900})
    site = cycle_site

    log_in(page, site, "bob")
    assert page.get_by_role("heading", name="2023-24 (draft)").is_visible()
    year = FiscalYear.objects.get(label="2023-24")
    board = page.locator(f'section[aria-labelledby="year-{year.pk}"]')
    assert board.locator("th.cycle-unit").all_inner_texts() == ["ICE", "CFSEU"]
    assert violations(page) == []
    page.get_by_role("button", name="Submit ICE Q2").click()
    assert "ICE 2023-24 Q2: submitted." in page.locator(".messagelist").inner_text()

    log_in(page, site, "alice")
    page.get_by_text("Return CFSEU Q2…").click()
    page.get_by_label("Why CFSEU Q2 is returned (the clerk reads this)").fill(
        "Charges laid in Q2 look doubled."
    )
    page.get_by_role("button", name="Return CFSEU Q2").click()
    assert "CFSEU 2023-24 Q2: returned." in page.locator(".messagelist").inner_text()
    page.get_by_role("button", name="Approve ICE Q1").click()
    assert "ICE 2023-24 Q1: approved." in page.locator(".messagelist").inner_text()
    assert violations(page) == []
    if width == 1400:
        shoot(page, "admin-cycle-board.png", artifacts)
    else:  # a card per cell on a phone; not in the manual
        page.screenshot(path=str(artifacts / "admin-cycle-board-phone.png"))

    log_in(page, site, "bob")
    returned = page.locator('[data-cell="CFSEU 2023-24 Q2"]')
    assert "Returned" in returned.inner_text()
    assert "Charges laid in Q2 look doubled." in returned.inner_text()
    assert returned.get_by_role("button", name="Submit CFSEU Q2").is_visible()
    approved = page.locator('[data-cell="ICE 2023-24 Q1"]')
    assert "Approved" in approved.inner_text() and approved.locator("button").count() == 0
    assert violations(page) == []
    states = dict(UnitQuarter.objects.values_list("quarter", "state").filter(unit__code="ICE"))
    assert states == {"Q1": "approved", "Q2": "submitted"}
