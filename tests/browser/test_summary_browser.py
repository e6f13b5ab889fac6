"""The annual summary in a real browser: log in, read, switch year, print, axe."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from reporting.roles import LEADERSHIP

UNITS = ["ICE", "HTCE", "CISA", "CFSEU", "AUTO", "FIREARMS"]
BLOCKING = {"serious", "critical"}
PDF_PAGE = re.compile(rb"/Type\s*/Page(?![s\w])")


@pytest.fixture
def site(transactional_db, live_server, published_dataset):
    from django.contrib.auth.models import Group, User

    carol = User.objects.create_user("carol", password="correct horse battery")
    carol.groups.add(Group.objects.get(name=LEADERSHIP))
    return live_server.url


def log_in(page, site: str, next_url: str) -> None:
    page.goto(site + next_url)
    assert page.url.startswith(site + reverse("login"))
    page.get_by_label("Username").fill("carol")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def blocking_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def test_leader_reads_the_summary_switches_year_and_it_passes_axe(page, site, artifacts):
    summary = reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"})
    log_in(page, site, summary)
    assert page.url == site + summary
    assert page.get_by_role("heading", level=1).inner_text() == "Annual results 2023-24"
    # The shipped years are published (release 1): no draft banner.
    assert page.locator(".report-header .badge-published").is_visible()
    assert page.get_by_text("Draft — not yet published").count() == 0

    for unit in UNITS:
        assert page.locator(f"#unit-{unit}").is_visible()
    assert page.locator("#table-ICE tbody tr").first.locator("td").nth(4).inner_text() == "3,815"
    assert page.locator("#regional-CFSEU tfoot td").nth(3).inner_text() == "$5,334,163"

    # The charts render: every SVG has a size and its bars are drawn.
    charts = page.locator("svg.chart")
    assert charts.count() >= 40
    box = charts.first.bounding_box()
    assert box["width"] > 100 and box["height"] > 50
    bar = page.locator("svg.chart rect.bar-quarter").first.bounding_box()
    assert bar["height"] > 10
    page.screenshot(path=str(artifacts / "summary-2023-24.png"), full_page=True)

    assert blocking_violations(page) == []

    # Print: no navigation or toolbar, and each unit on a page of its own
    # after the cover (headlines), on A4 and on Letter.
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".toolbar").is_visible()
    for paper in ["A4", "Letter"]:
        pdf = page.pdf(format=paper, print_background=True)
        (artifacts / f"summary-2023-24-{paper}.pdf").write_bytes(pdf)
        pages = len(PDF_PAGE.findall(pdf))
        if paper == "A4":
            assert pages == 1 + len(UNITS), paper
        else:
            # Letter is shorter: ICE, with its feature story, runs onto a second page.
            assert 1 + len(UNITS) <= pages <= 2 + len(UNITS), paper
    page.emulate_media(media="screen")

    # Switch year from the keyboard alone: the picker is a select and a button.
    page.locator("#year-picker").focus()
    page.keyboard.press("ArrowDown")
    assert page.locator("#year-picker").input_value() == "2022-23"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(site + reverse("reporting:summary", kwargs={"fiscal_year": "2022-23"}))
    assert page.get_by_role("heading", level=1).inner_text() == "Annual results 2022-23"
    # 2022-23 has no quarterly figures: its first column is the year.
    assert page.locator("#table-ICE tbody tr").first.locator("td").nth(0).inner_text() == "2,994"
    assert page.locator("svg.chart").count() > 0
    page.screenshot(path=str(artifacts / "summary-2022-23.png"), full_page=True)

    page.goto(site + reverse("reporting:year_list"))
    assert page.get_by_text("Published").count() == 3
    assert blocking_violations(page) == []


def test_the_login_page_passes_axe(page, site):
    page.goto(site + reverse("login"))
    assert blocking_violations(page) == []
