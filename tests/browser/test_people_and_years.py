"""An administrator, in a real browser: adds a clerk in one form; the clerk sets a
password from the emailed link and signs in; the administrator opens the next
fiscal year. Every admin page a clerk uses passes axe-core with no violation,
at 1400 px and at 390 px."""

import os
import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from reporting.models import Figure, FiscalYear
from tests.browser.conftest import sign_in, violations
from units.models import Unit

# ALERT_SCREENSHOTS=1 refreshes the manual's screenshots in docs/.
DOCS = Path(__file__).resolve().parents[2] / "docs" if os.environ.get("ALERT_SCREENSHOTS") else None


def shoot(page, name: str, tmp_path: Path) -> None:
    page.screenshot(path=str((DOCS or tmp_path) / name), full_page=True)


@pytest.fixture
def site(transactional_db, live_server, published_dataset, administrator):
    administrator.first_name, administrator.last_name = "Alice", "Martin"
    administrator.email = "alice@example.org"
    administrator.save()
    return live_server.url


def test_an_administrator_adds_a_clerk_who_signs_in_and_the_next_year_is_opened(
    site, browser, tmp_path
):
    admin_context = browser.new_context(viewport={"width": 1400, "height": 900})
    admin = admin_context.new_page()
    sign_in(admin_context, site, "alice")

    # One form: name, email, role, units.
    admin.goto(site + reverse("admin:auth_user_changelist"))
    admin.get_by_role("link", name="Add user").click()
    admin.get_by_label("First name").fill("Jane")
    admin.get_by_label("Last name").fill("Smith")
    admin.get_by_label("Email address").fill("jane.smith@example.org")
    admin.get_by_label("Data entry: enters and imports the figures of their units").check()
    admin.get_by_label("CFSEU — Combined Special Forces Enforcement").check()
    shoot(admin, "admin-add-person.png", tmp_path)
    assert violations(admin) == []
    admin.get_by_role("button", name="Add and email the link").click()
    assert "Added Jane Smith (Data entry for CFSEU)" in admin.locator(".messagelist").inner_text()

    # The clerk reads the link in the email and sets a password.
    (invitation,) = mail.outbox
    link = re.search(r"http://\S+/accounts/reset/\S+/", invitation.body).group(0)
    clerk_context = browser.new_context(viewport={"width": 390, "height": 844})
    clerk = clerk_context.new_page()
    clerk.goto(link)
    assert clerk.get_by_role("heading", level=1).inner_text() == "Set your password"
    assert violations(clerk) == []
    clerk.get_by_label("New password", exact=True).fill("quarterly figures 2024")
    clerk.get_by_label("New password confirmation").fill("quarterly figures 2024")
    shoot(clerk, "set-password.png", tmp_path)
    clerk.get_by_role("button", name="Set my password").click()
    assert clerk.get_by_role("heading", level=1).inner_text() == "Your password is set"
    clerk.get_by_role("link", name="Sign in to the records").click()
    clerk.get_by_label("Username").fill("jane.smith@example.org")
    clerk.get_by_label("Password").fill("quarterly figures 2024")
    clerk.get_by_role("button", name="Log in").click()
    clerk.wait_for_load_state()
    # Opening a year is the administrators' business: the clerk's home says nothing of it.
    assert "is not open yet" not in clerk.inner_text("#content")
    clerk_context.close()

    # The administrator opens the next fiscal year from the admin home.
    admin.goto(site + reverse("admin:index"))
    shoot(admin, "admin-open-year.png", tmp_path)
    admin.get_by_role("button", name="Open fiscal year 2024-25").click()
    assert "Fiscal year 2024-25 is open" in admin.locator(".messagelist").inner_text()
    assert FiscalYear.objects.get(label="2024-25").periods.count() == 5
    assert admin.get_by_role("button", name="Open fiscal year 2025-26").is_visible()

    # A figure's form shows its unit-year and the finding that names it.
    ibis = Figure.objects.get(
        metric__unit__code="FIREARMS",
        metric__code="ibis-submissions",
        period__fiscal_year__label="2023-24",
        period__period="Q3",
    )
    admin.goto(site + reverse("admin:reporting_figure_change", args=[ibis.pk]))
    context = admin.locator(".figure-context")
    assert "1,334 (this figure)" in context.inner_text()
    assert "304-421 in the other quarters" in context.inner_text()
    shoot(admin, "admin-figure-context.png", tmp_path)
    admin_context.close()


def clerk_pages() -> dict[str, str]:
    cfseu = Unit.objects.get(code="CFSEU")
    year = FiscalYear.objects.get(label="2023-24")
    figure = Figure.objects.filter(metric__unit=cfseu, period__fiscal_year=year).first()
    return {
        "home": reverse("admin:index"),
        "figures": reverse("admin:reporting_figure_changelist"),
        "grid picker": reverse("admin:reporting_figure_grid_pick"),
        "grid": reverse("admin:reporting_figure_grid", args=[cfseu.pk, year.pk]),
        "import": reverse("admin:reporting_figure_import"),
        "findings": reverse("admin:reporting_findings"),
        "figure": reverse("admin:reporting_figure_change", args=[figure.pk]),
        "figure history": reverse("admin:reporting_figure_history", args=[figure.pk]),
        "all changes": reverse("admin:reporting_historicalfigure_changelist"),
    }


@pytest.mark.parametrize("width", [1400, 390])
def test_every_admin_page_a_clerk_uses_passes_axe(site, browser, clerk, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(context, site, "bob")
    found = {}
    for name, url in clerk_pages().items():
        page.goto(site + url)
        assert page.locator("#content").is_visible(), name
        if problems := violations(page):
            found[name] = problems
    context.clear_cookies()  # signed out
    page.goto(site + reverse("admin:login"))
    if problems := violations(page):
        found["sign-in"] = problems
    context.close()
    assert found == {}, "\n".join(
        f"{name}: {problem}" for name, ps in found.items() for problem in ps
    )
