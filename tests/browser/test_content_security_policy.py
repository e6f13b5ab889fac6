"""The admin (with django-import-export's pages) and the API's documentation
pages work under the strict Content-Security-Policy: a real browser loads
them and reports no violation.

The pages are taken from the URL resolver, so pages other parts of the
project add are checked too.
"""

import fnmatch
import os

import pytest
from django.urls import reverse

from tests.security.test_url_walk import SAMPLE_ARGUMENTS
from tests.security.urlwalk import all_patterns, build_path

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Pages that run scripts or load styles: one of each kind of admin page for the
# models with the richest forms, every import/export page, every leadership
# page, every API doc page.
PAGES = [
    "admin:index",
    "admin:app_list",
    "admin:units_*_changelist",
    "admin:reporting_figure_*",
    "admin:reporting_fiscalyear_*",
    "admin:auth_user_*",
    "admin:*_import",
    "admin:*_export",
    "reporting:*",
    "password_reset*",
    "api:*swagger*",
    "api:*docs*",
]
SKIP = [
    "*_delete",
    "*_autocomplete",
    "*process_import*",
    "*_import_cancel",
    "*_open_next",  # an action: POST only
    "reporting:download_*",  # files, not pages
    "reporting:pick_year",  # needs ?year=
]


def pages_to_check() -> list[str]:
    chosen = []
    for url in all_patterns():
        if not any(fnmatch.fnmatchcase(url.name, p) for p in PAGES):
            continue
        if any(fnmatch.fnmatchcase(url.name, p) for p in SKIP):
            continue
        if any(k not in SAMPLE_ARGUMENTS for k in url.keywords):
            continue
        chosen.append(build_path(url, SAMPLE_ARGUMENTS))
    return sorted(set(chosen))


EXPECTED_BLOCKS: list[str] = []  # violations we accept: none


def _watch(page, violations: list[str]) -> None:
    def check(message):
        if "Content Security Policy" in message.text and not any(
            expected in message.text for expected in EXPECTED_BLOCKS
        ):
            violations.append(f"{page.url}: {message.text}")

    page.on("console", check)


@pytest.mark.django_db(transaction=True)
def test_admin_and_api_pages_run_without_a_content_security_policy_violation(
    live_server, page, dataset, administrator
):
    violations: list[str] = []
    _watch(page, violations)
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_url(f"**{reverse('admin:index')}")
    checked = pages_to_check()
    for path in checked:
        # Our pages are whole at "load" (no script of ours fetches anything
        # later); the API's documentation then fetches its schema.
        scripted = path.startswith("/api/")
        page.goto(live_server.url + path, wait_until="networkidle" if scripted else "load")
    # The admin's own scripts really ran (collapse/filters set up by JS).
    page.goto(live_server.url + reverse("admin:reporting_figure_changelist"))
    assert page.evaluate("typeof django !== 'undefined' && typeof django.jQuery") == "function"
    assert len(checked) > 10
    assert not violations, "\n".join(violations)


@pytest.mark.django_db(transaction=True)
def test_the_api_documentation_renders_under_the_policy(live_server, page, administrator):
    violations: list[str] = []
    _watch(page, violations)
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_url(f"**{reverse('admin:index')}")
    page.goto(live_server.url + reverse("api:docs"))
    page.wait_for_selector(".swagger-ui .information-container", timeout=15000)
    assert "ALERT results records API" in page.inner_text(".swagger-ui .information-container")
    assert not violations, "\n".join(violations)
