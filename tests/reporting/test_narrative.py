"""The report's text as records: sanitised Markdown, placed where the report
places it, locked with its year, with history and an admin preview."""

import json
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from reporting import services
from reporting.models import FiscalYear, NarrativeBlock, YearLocked
from reporting.narrative import render_markdown
from tests.years import publish
from units.models import Unit

SUMMARY = reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"})
DATA = Path(__file__).resolve().parents[2] / "reporting" / "data" / "narrative-2023-24.json"
SEED = Path("/work/shared/seed/000_445e0c308920d639.txt")
SEED_COPY = Path(__file__).resolve().parents[1] / "data" / "annual-report-2023-24.txt"


def _section(page: str, unit: str) -> str:
    start = page.index(f'id="unit-{unit}"')
    return page[start : page.index("</section>", start)]


def test_markdown_keeps_the_small_subset_and_drops_raw_html_and_scripts():
    html = render_markdown(
        "Plain **bold** *italic*\n\n- one\n- two\n\n"
        '<script>alert(1)</script> <img src=x onerror="alert(1)">\n\n'
        "[bad](javascript:alert(1)) [good](https://example.org)\n\n# Not a heading"
    )
    assert "<strong>bold</strong>" in html and "<em>italic</em>" in html
    assert "<ul>" in html and "<li>one</li>" in html
    # Raw HTML is not passed through: it stays visible as text, never as a tag.
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html
    assert '<a href="https://example.org" rel="noopener noreferrer">good</a>' in html
    assert "<h1" not in html


def test_the_shipped_blocks_appear_where_the_report_places_them(client, dataset, leader):
    client.force_login(leader)
    page = client.get(SUMMARY).content.decode()
    ice = _section(page, "ICE")
    # The feature story opens the ICE section, before its table; the CSAM
    # sidebar follows the charts.
    assert ice.index("Fighting Fire With Fire") < ice.index('id="table-ICE"')
    assert ice.index('id="table-ICE"') < ice.index("Child sexual abuse material (CSAM)")
    cisa = _section(page, "CISA")
    assert cisa.index("CISA&#x27;s four pillars") < cisa.index('id="table-CISA"')
    assert cisa.count("<li>") >= 4  # the four pillars, as a list
    assert "Alberta Firearms Intelligence Centre (AFIC)" in cisa
    firearms = _section(page, "FIREARMS")
    assert firearms.index('id="table-FIREARMS"') < firearms.index("Ghost guns")


def test_learn_more_shows_only_once_an_administrator_fills_in_its_url(
    client, dataset, administrator, leader
):
    client.force_login(leader)
    page = client.get(SUMMARY).content.decode()
    assert "narrative-link" not in page and "More on privately made firearms" not in page
    block = NarrativeBlock.objects.get(unit__code="FIREARMS", key="ghost-guns")
    block.link_url = "https://www.example.org/ghost-guns"
    services.save_year_text(record=block, user=administrator)
    firearms = _section(client.get(SUMMARY).content.decode(), "FIREARMS")
    assert (
        '<a href="https://www.example.org/ghost-guns">More on privately made firearms' in firearms
    )


def test_the_shipped_text_is_in_our_own_words_not_the_sources():
    """No run of eight words of the source's prose appears in the shipped text."""
    source = (SEED if SEED.exists() else SEED_COPY).read_text("utf-8")
    words = re.findall(r"[a-z0-9']+", source.lower().replace("\u2019", "'"))
    source_runs = {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}
    for item in json.loads(DATA.read_text("utf-8")):
        text = " ".join([item["body"], item["pull_quotes"], item["link_text"]])
        ours = re.findall(r"[a-z0-9']+", text.lower())
        copied = [
            " ".join(ours[i : i + 8])
            for i in range(len(ours) - 7)
            if " ".join(ours[i : i + 8]) in source_runs
        ]
        assert copied == [], (item["key"], copied)
        assert item["pull_quotes"] == ""  # the source's quotations are not ours to ship


def test_a_published_years_text_cannot_change_through_the_service(
    published_year, administrator, clerk
):
    block = NarrativeBlock.objects.get(unit__code="ICE", key="feature")
    block.title = "Changed"
    for user in (clerk, administrator):
        with pytest.raises(YearLocked):
            services.save_year_text(record=block, user=user)
        with pytest.raises(YearLocked):
            services.delete_year_text(record=block, user=user)
    block.refresh_from_db()
    assert block.title == "Fighting Fire With Fire"


def test_a_locked_years_block_is_read_only_in_the_admin(client, dataset, administrator):
    year = FiscalYear.objects.get(label="2023-24")
    block = NarrativeBlock.objects.get(unit__code="ICE", key="feature")
    client.force_login(administrator)
    url = reverse("admin:reporting_narrativeblock_change", args=[block.pk])
    assert 'name="title"' in client.get(url).content.decode()  # open year: editable
    publish(year, user=administrator)
    # Published: read-only to everyone, administrators included.
    page = client.get(url).content.decode()
    assert 'name="title"' not in page
    assert "was published" in page and "Prepare a correction" in page
    response = client.post(
        reverse("admin:reporting_narrativeblock_add"),
        {
            "fiscal_year": year.pk,
            "key": "new",
            "kind": "text",
            "placement": "before",
            "display_order": 1,
            "body": "New text",
        },
    )
    assert response.status_code == 200
    assert "was published" in response.content.decode()
    assert not NarrativeBlock.objects.filter(key="new").exists()


def test_the_admin_saves_a_block_with_history_and_shows_its_preview(client, dataset, administrator):
    client.force_login(administrator)
    year = FiscalYear.objects.get(label="2023-24")
    response = client.post(
        reverse("admin:reporting_narrativeblock_add"),
        {
            "fiscal_year": year.pk,
            "unit": Unit.objects.get(code="HTCE").pk,
            "key": "note",
            "kind": "sidebar",
            "placement": "after",
            "display_order": 5,
            "title": "Victim interventions",
            "body": "Support **arranged** for a victim. <script>x()</script>",
            "_continue": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    block = NarrativeBlock.objects.get(key="note")
    assert block.history.count() == 1
    assert block.history.first().history_user == administrator
    page = client.get(reverse("admin:reporting_narrativeblock_change", args=[block.pk]))
    preview = page.content.decode()
    assert "<strong>arranged</strong>" in preview
    assert "<script>x()" not in preview


def test_loading_the_dataset_again_keeps_a_url_an_administrator_filled_in(dataset, administrator):
    block = NarrativeBlock.objects.get(unit__code="ICE", key="csam")
    block.link_url = "https://www.example.org/ice"
    services.save_year_text(record=block, user=administrator)
    call_command("load_dataset", stdout=open("/dev/null", "w"))  # noqa: SIM115
    block.refresh_from_db()
    assert block.link_url == "https://www.example.org/ice"
    assert NarrativeBlock.objects.count() == 6


def test_the_overview_opens_the_report_before_the_headline_figures(client, dataset, leader):
    client.force_login(leader)
    page = client.get(SUMMARY).content.decode()
    overview = page.index('data-kind="overview"')
    assert overview < page.index('id="headlines-heading"')
    assert page.count('data-kind="overview"') == 1
    assert "The year in brief" in page and "ICE took in more than 3,800 files" in page


def test_the_shipped_text_is_the_reports_own_not_a_description_of_it():
    for item in json.loads(DATA.read_text("utf-8")):
        text = item["body"].lower()
        assert "the report" not in text, item["key"]
        assert "feature story" not in text, item["key"]


def test_an_overview_belongs_to_the_year_not_to_a_unit(dataset):
    year = FiscalYear.objects.get(label="2023-24")
    block = NarrativeBlock(
        fiscal_year=year, unit=Unit.objects.get(code="ICE"), key="intro", kind="overview"
    )
    with pytest.raises(ValidationError, match="leave the unit empty"):
        block.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        NarrativeBlock.objects.bulk_create([block])


def test_learn_more_prints_the_page_address_beside_its_link(client, dataset, administrator, leader):
    block = NarrativeBlock.objects.get(unit__code="ICE", key="csam")
    block.link_url = "https://www.example.org/units/ice/"
    services.save_year_text(record=block, user=administrator)
    client.force_login(leader)
    ice = _section(client.get(SUMMARY).content.decode(), "ICE")
    assert '<span class="link-address">www.example.org/units/ice</span>' in ice


@pytest.mark.parametrize(
    "address",
    [
        "ftp://files.example.org/report.pdf",
        "javascript:alert(1)",
        "data:text/html,x",
        "example.org",
    ],
)
def test_a_learn_more_address_is_http_https_or_mailto_only(dataset, administrator, address):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    block = NarrativeBlock.objects.get(unit__code="FIREARMS", key="ghost-guns")
    block.link_url = address
    with pytest.raises(ValidationError, match="http:// or https://, or mailto:"):
        services.save_year_text(record=block, user=administrator)
    # The database holds the rule too, past any form.
    with pytest.raises(IntegrityError), transaction.atomic():
        NarrativeBlock.objects.filter(pk=block.pk).update(link_url=address)


@pytest.mark.parametrize(
    "address", ["https://www.example.org/ice", "http://example.org", "mailto:info@example.org"]
)
def test_web_and_mail_addresses_are_accepted(dataset, administrator, address):
    block = NarrativeBlock.objects.get(unit__code="FIREARMS", key="ghost-guns")
    block.link_url = address
    services.save_year_text(record=block, user=administrator)
    block.refresh_from_db()
    assert block.link_url == address
