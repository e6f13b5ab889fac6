"""Real-browser tests: Playwright for Python driving Debian's Chromium.

Never `playwright install`: the tests use /usr/bin/chromium. Without it they
skip with the reason, unless ALERT_REQUIRE_BROWSER=1 (CI sets it), in which
case a missing browser fails the run.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# would otherwise refuse to run there (see STACK-NOTES).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("ALERT_CHROMIUM", "/usr/bin/chromium"))
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(
    os.environ.get("ALERT_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts")
)


def _unavailable(reason: str):
    if os.environ.get("ALERT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (ALERT_REQUIRE_BROWSER=1 makes this a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"no browser: {CHROMIUM} does not exist (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (make install)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def sign_in(context, base_url: str, username: str) -> None:
    """Sign ``username`` in for every page of the browser ``context`` with the
    session the sign-in form would have given them (the test client's
    ``force_login``), without loading and posting the form: a page load and
    a post saved per sign-in. The sign-in pages keep their own browser tests
    (test_summary_browser, the lockout in test_report_layout, the new clerk
    in test_people_and_years, the admin's in test_admin_grid and
    test_content_security_policy)."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username=username))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.clear_cookies()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session,
                "url": base_url,
                "httpOnly": True,
            }
        ]
    )


def violations(page) -> list[str]:
    """What axe-core finds wrong with the page as it stands, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    return [
        f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes']][:3]}"
        for v in Axe().run(page).response["violations"]
    ]


def shoot(page, name: str, artifacts: Path) -> None:
    """A full-page screenshot among the test artifacts, or into docs/ for the
    manuals with ALERT_SCREENSHOTS=1."""
    docs = Path(__file__).resolve().parents[2] / "docs"
    target = docs if os.environ.get("ALERT_SCREENSHOTS") == "1" else artifacts
    page.screenshot(path=str(target / name), full_page=True)
