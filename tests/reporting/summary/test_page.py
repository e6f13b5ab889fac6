"""The annual summary page shows the seed's figures, as the report prints them."""

import html
import re

import pytest
from django.urls import reverse

from reporting.models import Figure
from reporting.services import delete_figure
from tests.html_tables import amount, read_tables
from tests.seed import COLUMNS, HEADINGS, SEED, expected_figures, regional_totals
from tests.years import publish
from units.models import Unit

SUMMARY = reverse("reporting:summary", kwargs={"fiscal_year": "2023-24"})
UNITS_IN_ORDER = ["ICE", "HTCE", "CISA", "CFSEU", "AUTO", "FIREARMS"]


@pytest.fixture
def page(client, dataset, leader):
    client.force_login(leader)
    response = client.get(SUMMARY)
    assert response.status_code == 200
    return response.content.decode()


def test_every_cell_of_every_unit_table_equals_the_seed(page):
    seed = expected_figures()
    tables = read_tables(page)
    compared = set()
    for unit in UNITS_IN_ORDER:
        table = tables[f"table-{unit}"]
        header = table.header()
        assert header[1:6] == ["Q1", "Q2", "Q3", "Q4", "2023-24"]
        # A prior year has a column only where the unit has figures in it.
        shown = COLUMNS[:5] + [c for c in COLUMNS[5:] if c[0] in header]
        for label, cells in table.body().items():
            for (fiscal_year, period), cell in zip(shown, cells[: len(shown)], strict=True):
                key = (unit, label.upper(), fiscal_year, period, "")
                assert amount(cell.text) == seed.get(key), (unit, label, fiscal_year, period, cell)
                compared.add(key)
    unit_wide = {key for key in seed if key[4] == ""}
    # Every seed figure was compared with its printed cell.
    assert unit_wide <= compared


def test_every_cell_of_the_regional_table_equals_the_seed(page):
    seed = expected_figures()
    table = read_tables(page)["regional-CFSEU"]
    assert table.header() == ["Region", "Arrests", "Charges", "Firearms", "Drugs", "Proceeds"]
    labels = [
        "SUSPECTS CHARGED",
        "CHARGES LAID",
        "FIREARMS SEIZED",
        "EST. VALUE OF DRUGS SEIZED",
        "PROCEEDS OF CRIME SEIZED",
    ]
    rows = table.body()
    regions = {key[4] for key in seed if key[4]}
    assert {name.upper() for name in rows} - {"TOTALS"} == regions
    for region, cells in rows.items():
        if region == "Totals":
            continue
        for label, cell in zip(labels, cells, strict=True):
            assert amount(cell.text) == seed[("CFSEU", label, "2023-24", "FY", region.upper())]
    totals = regional_totals()
    assert [amount(cell.text) for cell in rows["Totals"]] == [
        totals[column] for column in ["ARRESTS", "CHARGES", "FIREARMS", "DRUGS", "PROCEEDS"]
    ]


def test_currency_prints_with_a_dollar_sign_and_counts_with_separators(page):
    cfseu = read_tables(page)["table-CFSEU"].body()
    assert cfseu["Est. value of drugs seized"][4].text == "$5,334,163"
    assert cfseu["Charges laid"][5].text == "1,088"


def test_not_reported_is_a_dash_never_zero(page):
    auto = read_tables(page)["table-AUTO"].body()
    charges = [cell.text for cell in auto["Charges laid"]]
    assert charges[:5] == ["—"] * 5  # nothing reported for 2023-24
    assert charges[5:7] == ["11", "47"]
    assert charges[7] == ""  # no change: this year was not reported
    firearms = read_tables(page)["table-FIREARMS"].body()
    # The Firearms teams began in 2023-24: no prior-year columns to fill with dashes.
    assert [cell.text for cell in firearms["Gun seizures"]] == ["—"] * 4 + ["15"]


def test_units_appear_in_display_order_headed_as_the_report_heads_them(page):
    printed = re.findall(r'<h2 class="unit-heading"[^>]*>(.*?)</h2>', page, re.S)
    headings = [" ".join(html.unescape(re.sub(r"<[^>]+>", "", h)).split()) for h in printed]
    seed_headings = [
        line.strip()
        for line in SEED.read_text("utf-8").splitlines()
        if "|" in line and line.split("|")[0].strip() in HEADINGS
    ]
    # The seed's extraction mangled some capitals ("Gang suPpression teams").
    assert [h.lower() for h in headings] == [h.lower() for h in seed_headings]
    assert headings[0] == "Protecting Kids Online | Internet Child Exploitation"


def test_change_from_last_year_is_absolute_with_percent_only_from_ten(page):
    ice = read_tables(page)["table-ICE"].body()
    assert ice["File intakes"][7].text == "▲ +821 (+27.4%)"
    cfseu = read_tables(page)["table-CFSEU"].body()
    assert cfseu["Suspects charged"][7].text == "▼ −56 (−28.4%)"
    auto = read_tables(page)["table-AUTO"].body()
    # Last year's 1 suspect charged is under 10: no percent.
    assert auto["Suspects charged"][7].text == "▲ +1"
    firearms = read_tables(page)["table-FIREARMS"]
    assert len(firearms.body()["Charges laid"]) == 5  # no prior year, so no change column
    assert not any(h.startswith("Change") for h in firearms.header())


def test_year_figure_from_missing_quarters_is_marked_partial(client, dataset, clerk, leader):
    figure = Figure.objects.get(
        metric__unit__code="ICE",
        metric__code="file-intakes",
        period__fiscal_year__label="2023-24",
        period__period="FY",
        region=None,
    )
    delete_figure(figure=figure, user=clerk)
    q4 = Figure.objects.get(
        metric__unit__code="ICE",
        metric__code="file-intakes",
        period__fiscal_year__label="2023-24",
        period__period="Q4",
        region=None,
    )
    delete_figure(figure=q4, user=clerk)
    client.force_login(leader)
    cells = read_tables(client.get(SUMMARY).content.decode())["table-ICE"].body()["File intakes"]
    assert cells[3].text == "—"
    assert cells[4].text == "2,701"  # 680 + 872 + 1,149
    assert cells[4].flags == ["partial"]
    assert cells[0].flags == []


def test_year_figure_recorded_is_not_marked_partial(page):
    cells = read_tables(page)["table-ICE"].body()["File intakes"]
    assert cells[4].flags == []


def test_headline_figures_carry_the_change_from_last_year(page, dataset):
    from units.models import Metric

    headline_labels = list(Metric.objects.filter(headline=True).values_list("label", flat=True))
    assert len(headline_labels) == 6
    start = page.index('id="headlines-heading"')
    headlines = page[start : page.index("</section>", start)]
    for label in headline_labels:
        assert label in headlines
    assert "3,815" in headlines and "+821" in headlines and "(+27.4%)" in headlines
    assert "$5,334,163" in headlines


def test_notes_appear_as_footnotes_under_their_table(page):
    auto_start = page.index('id="unit-AUTO"')
    auto = page[auto_start : page.index("</section>", auto_start)]
    assert 'id="note-AUTO-1"' in auto
    # RECOVERED ASSETS' public note (the typo's story stays internal).
    assert "The year&#x27;s total is the sum of its four quarters." in auto
    assert "misplaced" not in auto
    assert 'href="#note-AUTO-1"' in auto


def test_an_open_year_carries_the_draft_banner(page):
    assert "Draft — not yet published" in page


def test_a_published_year_has_no_draft_banner(client, published_year, leader):
    client.force_login(leader)
    page = client.get(SUMMARY).content.decode()
    assert "Draft — not yet published" not in page
    assert "Published" in page


def test_every_table_has_a_caption_and_scoped_headers(page):
    tables = read_tables(page)
    assert len(tables) == 8  # six units, CFSEU's regional table, ALERT-wide totals
    for table in tables.values():
        assert table.caption.strip()
        for row in table.rows:
            for cell in row:
                if cell.tag == "th":
                    assert cell.scope in {"row", "col"}


def test_charts_are_drawn_for_every_unit_with_text_alternatives(page):
    for unit in UNITS_IN_ORDER:
        start = page.index(f'id="unit-{unit}"')
        section = page[start : page.index("</section>", start)]
        assert "<svg" in section
        assert "<title" in section and "<desc" in section
    assert "File intakes in 2023-24: Q1 680, Q2 872, Q3 1,149, Q4 1,114." in page


def test_the_page_loads_nothing_from_elsewhere_and_has_no_inline_styles(page):
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page
    assert "style=" not in page and "<style" not in page
    # One script of our own (it folds the sections on a phone), never inline.
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.S)
    assert scripts == [""]
    assert re.search(r'<script src="/static/js/summary\.js" defer>', page)


def test_the_year_picker_lists_every_year_and_leads_to_its_summary(client, dataset, leader):
    client.force_login(leader)
    page = client.get(SUMMARY).content.decode()
    for label in ["2023-24", "2022-23", "2021-22"]:
        assert f'<option value="{label}"' in page
    response = client.get(reverse("reporting:pick_year"), {"year": "2022-23"})
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:summary", kwargs={"fiscal_year": "2022-23"})
    assert client.get(reverse("reporting:pick_year"), {"year": "1999-00"}).status_code == 404


def test_a_prior_year_summary_shows_its_recorded_figures(client, dataset, leader):
    client.force_login(leader)
    url = reverse("reporting:summary", kwargs={"fiscal_year": "2022-23"})
    cells = read_tables(client.get(url).content.decode())["table-ICE"].body()["File intakes"]
    # No quarter was published for 2022-23: no quarter columns.
    assert [c.text for c in cells] == ["2,994", "2,764", "▲ +230 (+8.3%)"]


def test_an_unknown_year_is_not_found(client, dataset, leader):
    client.force_login(leader)
    url = reverse("reporting:summary", kwargs={"fiscal_year": "1999-00"})
    assert client.get(url).status_code == 404


def test_the_year_list_shows_years_newest_first_with_drafts_marked(
    client, dataset, administrator, leader
):
    publish("2021-22", user=administrator)
    client.force_login(leader)
    page = client.get(reverse("reporting:year_list")).content.decode()
    positions = [page.index(f">{label}</a>") for label in ["2023-24", "2022-23", "2021-22"]]
    assert positions == sorted(positions)
    assert page.count("badge-draft") == 2
    assert page.count("badge-published") == 1


def test_home_leads_to_the_newest_years_summary(client, published_dataset, leader):
    client.force_login(leader)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == SUMMARY


def test_home_with_no_years_leads_to_the_year_list(client, db, leader):
    client.force_login(leader)
    response = client.get("/")
    assert response["Location"] == reverse("reporting:year_list")


def test_an_inactive_unit_is_left_out(client, dataset, leader):
    Unit.objects.filter(code="AUTO").update(active=False)
    client.force_login(leader)
    page = client.get(SUMMARY).content.decode()
    assert 'id="unit-AUTO"' not in page
    assert 'id="unit-ICE"' in page
