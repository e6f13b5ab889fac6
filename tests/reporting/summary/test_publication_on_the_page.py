"""What readers see of publication: home on the newest published year, drafts
marked and reachable, honest year-to-date comparisons, neutral changes."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from reporting import services
from reporting.models import Figure, FiscalYear, ReportingPeriod
from reporting.summary import build_summary
from units.models import Metric


def summary_url(label: str) -> str:
    return reverse("reporting:summary", kwargs={"fiscal_year": label})


def enter(unit: str, metric: str, label: str, period: str, value: str, user) -> None:
    services.record_figure(
        metric=Metric.objects.get(unit__code=unit, code=metric),
        period=ReportingPeriod.objects.get(fiscal_year__label=label, period=period),
        value=value,
        user=user,
    )


@pytest.fixture
def draft_2024(administrator) -> FiscalYear:
    """2024-25 opened, with CFSEU's first two quarters of charges laid (100 and 165)."""
    year = services.create_fiscal_year(label="2024-25", user=administrator)
    enter("CFSEU", "charges-laid", "2024-25", "Q1", "100", administrator)
    enter("CFSEU", "charges-laid", "2024-25", "Q2", "165", administrator)
    return year


def card(page: str, metric: str) -> str:
    match = re.search(rf'<li class="headline" data-metric="{metric}">(.*?)</li>', page, re.S)
    assert match, metric
    return re.sub(r"\s+", " ", match.group(1))


def test_home_stays_on_the_newest_published_year_after_a_draft_year_gets_figures(
    client, published_dataset, draft_2024, leader
):
    client.force_login(leader)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == summary_url("2023-24")
    page = response.content.decode()
    # The draft is reachable from the notice and from Annual reports.
    assert f'href="{summary_url("2024-25")}"' in page
    assert "2024-25 is in preparation and not yet published" in page
    years = client.get(reverse("reporting:year_list")).content.decode()
    assert f'href="{summary_url("2024-25")}"' in years


def test_a_draft_is_marked_in_the_title_the_page_and_for_print(
    client, published_dataset, draft_2024, leader
):
    client.force_login(leader)
    page = client.get(summary_url("2024-25")).content.decode()
    assert "<title>Draft · Annual results 2024-25" in page
    assert "Draft — not yet published." in page
    assert re.search(r'<body class="[^"]*\bis-draft\b', page)  # names the printed pages
    published = client.get(summary_url("2023-24")).content.decode()
    assert "<title>Annual results 2023-24" in published
    assert re.search(r'<body class="[^"]*\bis-published\b', published)
    assert "is in preparation" in published  # the staff notice of the newer draft


def test_a_partial_years_card_compares_year_to_date(client, dataset, draft_2024, leader):
    client.force_login(leader)
    page = client.get(summary_url("2024-25")).content.decode()
    charges = card(page, "CFSEU/charges-laid")
    # 100 + 165 = 265 against 2023-24's Q1 + Q2, 176 + 156 = 332: never the full 800.
    assert "265" in charges and "partial" in charges
    assert "▼" in charges and "−67 (−20.2%)" in charges
    assert "Q1–Q2 vs Q1–Q2 2023-24" in charges
    assert "−535" not in page
    # A card with no 2024-25 figure says so, not that 2023-24 is missing.
    firearms = card(page, "CFSEU/firearms-seized")
    assert "Not reported for 2024-25" in firearms
    assert "No 2023-24 figure" not in firearms


def test_the_table_row_labels_a_year_to_date_change(client, dataset, draft_2024, leader):
    row = next(
        r
        for section in build_summary("2024-25").units
        if section.code == "CFSEU"
        for r in section.rows
        if r.code == "charges-laid"
    )
    assert (row.change, row.change_percent) == (Decimal(-67), Decimal("-20.2"))
    assert row.comparison == "Q1–Q2 vs Q1–Q2 2023-24"
    client.force_login(leader)
    page = client.get(summary_url("2024-25")).content.decode()
    assert '<span class="comparison">Q1–Q2 vs Q1–Q2 2023-24</span>' in page


def test_no_comparison_where_the_prior_year_lacks_those_quarters(dataset):
    # 2022-23 has only full-year figures: a partial 2023-24 has nothing to compare with.
    Figure.objects.for_year("2023-24").for_unit("CFSEU").filter(
        metric__code="charges-laid", period__period__in=["Q3", "Q4", "FY"]
    ).delete()
    row = next(
        r
        for section in build_summary("2023-24").units
        if section.code == "CFSEU"
        for r in section.rows
        if r.code == "charges-laid"
    )
    assert row.year.is_partial and row.year.value == Decimal(332)
    assert (row.change, row.change_percent, row.comparison) == (None, None, "")
    assert row.no_comparison == "No Q1–Q2 figures for 2022-23 to compare"


def test_a_change_is_neutral_unless_the_metric_has_a_polarity(client, dataset, leader):
    client.force_login(leader)
    page = client.get(summary_url("2023-24")).content.decode()
    # Charges laid fell from 1,088 to 800: an arrow and a sign, no verdict.
    assert 'class="headline-change change-neutral"' in card(page, "CFSEU/charges-laid")
    assert "change-bad" not in page and "change-good" not in page
    for code, polarity in [
        ("charges-laid", Metric.Polarity.HIGHER_IS_BETTER),
        ("charges-laid", Metric.Polarity.HIGHER_IS_WORSE),
    ]:
        metric = Metric.objects.get(unit__code="CFSEU", code=code)
        metric.polarity = polarity  # as the admin sets it (a saved change, with history)
        metric.save()
        page = client.get(summary_url("2023-24")).content.decode()
        fewer = "change-bad" if polarity == Metric.Polarity.HIGHER_IS_BETTER else "change-good"
        assert f'class="headline-change {fewer}"' in card(page, "CFSEU/charges-laid")
        assert f'<span class="change {fewer}">' in page
