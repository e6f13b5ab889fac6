"""The admin home in a real browser at 1400 px and 390 px: an administrator
and a clerk land on the reporting cycle's work first; the system's models
come last and only for the administrator; axe-core finds nothing."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from reporting import services
from reporting.models import FiscalYear
from reporting.roles import ADMINISTRATORS, DATA_ENTRY
from tests.browser.conftest import sign_in, violations
from units.models import Unit

DOCS = Path(__file__).resolve().parents[2] / "docs"
PASSWORD = "correct horse battery"


@pytest.fixture
def home_site(transactional_db, live_server, dataset):
    from django.contrib.auth.models import Group, User

    bob = User.objects.create_user(
        "bob", password=PASSWORD, is_staff=True, first_name="Bob", last_name="Tremblay"
    )
    bob.groups.add(Group.objects.get(name=DATA_ENTRY))
    alice = User.objects.create_user(
        "alice", password=PASSWORD, is_staff=True, first_name="Alice", last_name="Martin"
    )
    alice.groups.add(Group.objects.get(name=ADMINISTRATORS))
    ice, cfseu = Unit.objects.get(code="ICE"), Unit.objects.get(code="CFSEU")
    ice.data_entry_users.add(bob)
    cfseu.data_entry_users.add(bob)
    year = FiscalYear.objects.get(label="2023-24")
    for unit in (ice, cfseu):
        services.move_quarter(action="submit", unit=unit, fiscal_year=year, quarter="Q1", user=bob)
    services.move_quarter(
        action="return",
        unit=cfseu,
        fiscal_year=year,
        quarter="Q1",
        user=alice,
        text="Charges laid look doubled.",
    )
    return live_server.url


def log_in(page, site: str, username: str) -> None:
    sign_in(page.context, site, username)
    page.goto(site + reverse("admin:index"))


@pytest.mark.parametrize("width", [1400, 390])
def test_the_admin_home_starts_with_the_work(browser, home_site, artifacts, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()

    log_in(page, home_site, "alice")
    awaiting = page.locator(".awaiting")
    assert "To approve (1)" in awaiting.inner_text()
    assert "ICE 2023-24 Q1" in awaiting.inner_text()
    assert "Returned, to correct (1)" in awaiting.inner_text()
    system = page.get_by_role("heading", name="System", exact=True)
    assert system.is_visible()
    top = page.evaluate("(e) => e.getBoundingClientRect().top", awaiting.element_handle())
    below = page.evaluate("(e) => e.getBoundingClientRect().top", system.element_handle())
    assert top < below
    assert violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if width == 1400:
        target = DOCS if os.environ.get("ALERT_SCREENSHOTS") == "1" else artifacts
        page.screenshot(path=str(target / "admin-home.png"), full_page=True)

    log_in(page, home_site, "bob")
    awaiting = page.locator(".awaiting")
    assert "Returned, to correct (1)" in awaiting.inner_text()
    assert "Charges laid look doubled." in awaiting.inner_text()
    assert page.get_by_role("heading", name="System", exact=True).count() == 0
    assert "Reporting periods" not in page.inner_text("body")
    assert violations(page) == []
    context.close()
