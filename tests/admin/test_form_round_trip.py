"""Every field of every admin form that writes through a service reaches the
record: the figure's (``record_figure``), a new year's (``create_fiscal_year``),
the narrative block's and the published total's (``save_year_text``), on the
add form and the change form.

Each case lists every field its form shows; a field added to a form and not
to its case fails the test, so a service that drops a field (as the figure
form once dropped the public note) cannot go unnoticed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from reporting.models import Figure, FiscalYear, NarrativeBlock, PublishedTotal
from units.models import Metric, Region, Unit


def form_fields(response) -> set[str]:
    return set(response.context["adminform"].form.fields)


def post_every_field(client, url: str, data: dict) -> None:
    shown = client.get(url)
    assert shown.status_code == 200
    assert form_fields(shown) == set(data), "the case must list every field of the form"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors


@pytest.fixture
def admin_client(client, administrator, dataset):
    client.force_login(administrator)
    return client


def year() -> FiscalYear:
    return FiscalYear.objects.get(label="2023-24")


def test_the_figure_add_form_keeps_every_field(admin_client):
    metric = Metric.objects.get(unit__code="CFSEU", code="charges-laid")
    period = year().periods.get(period="FY")
    region = Region.objects.get(name="Calgary")
    Figure.objects.filter(metric=metric, period=period, region=region).delete()
    post_every_field(
        admin_client,
        reverse("admin:reporting_figure_add"),
        {
            "metric": metric.pk,
            "period": period.pk,
            "region": region.pk,
            "value": "1,234",
            "note": "Checked against the unit's log.",
            "public_note": "Calgary's figure includes a joint file.",
            "seen_version": "",
        },
    )
    figure = Figure.objects.get(metric=metric, period=period, region=region)
    assert (figure.value, figure.note, figure.public_note) == (
        Decimal("1234"),
        "Checked against the unit's log.",
        "Calgary's figure includes a joint file.",
    )


def test_the_figure_change_form_keeps_every_field(admin_client):
    figure = Figure.objects.for_year(year()).for_unit("ICE").unit_wide().first()
    post_every_field(
        admin_client,
        reverse("admin:reporting_figure_change", args=[figure.pk]),
        {
            "value": "4,321",
            "note": "Recounted.",
            "public_note": "Includes a late file.",
            "seen_version": figure.version,
        },
    )
    figure.refresh_from_db()
    assert (figure.value, figure.note, figure.public_note) == (
        Decimal("4321"),
        "Recounted.",
        "Includes a late file.",
    )


def test_the_year_add_form_keeps_every_field(admin_client):
    post_every_field(admin_client, reverse("admin:reporting_fiscalyear_add"), {"label": "2030-31"})
    assert FiscalYear.objects.get(label="2030-31").start_year == 2030


def narrative_data(**changes) -> dict:
    return {
        "fiscal_year": year().pk,
        "unit": Unit.objects.get(code="ICE").pk,
        "key": "round-trip",
        "kind": NarrativeBlock.Kind.STORY,
        "placement": NarrativeBlock.Placement.AFTER,
        "display_order": "7",
        "title": "A story",
        "body": "What happened, in **two** words.",
        "pull_quotes": "A line to pull out.",
        "link_text": "Read more",
        "link_url": "https://example.org/story",
    } | changes


def assert_block_holds(block: NarrativeBlock, data: dict) -> None:
    for name, value in data.items():
        stored = getattr(block, f"{name}_id" if name in ("fiscal_year", "unit") else name)
        assert str(stored) == str(value), name


def test_the_narrative_block_forms_keep_every_field(admin_client):
    data = narrative_data()
    post_every_field(admin_client, reverse("admin:reporting_narrativeblock_add"), data)
    block = NarrativeBlock.objects.get(key="round-trip")
    assert_block_holds(block, data)
    changed = narrative_data(
        unit=Unit.objects.get(code="CFSEU").pk,
        key="round-trip-2",
        kind=NarrativeBlock.Kind.LIST,
        placement=NarrativeBlock.Placement.BEFORE,
        display_order="8",
        title="Another",
        body="- one\n- two",
        pull_quotes="",
        link_text="More",
        link_url="https://example.org/more",
    )
    post_every_field(
        admin_client, reverse("admin:reporting_narrativeblock_change", args=[block.pk]), changed
    )
    block.refresh_from_db()
    assert_block_holds(block, changed)


def test_the_published_total_forms_keep_every_field(admin_client):
    data = {
        "fiscal_year": year().pk,
        "metric_code": "round-trip-total",
        "value": "12.50",
        "note": "As ALERT printed it.",
    }
    post_every_field(admin_client, reverse("admin:reporting_publishedtotal_add"), data)
    total = PublishedTotal.objects.get(metric_code="round-trip-total")
    assert (total.fiscal_year_id, total.value, total.note) == (
        year().pk,
        Decimal("12.50"),
        "As ALERT printed it.",
    )
    changed = data | {"metric_code": "round-trip-other", "value": "99.99", "note": "Corrected."}
    post_every_field(
        admin_client, reverse("admin:reporting_publishedtotal_change", args=[total.pk]), changed
    )
    total.refresh_from_db()
    assert (total.metric_code, total.value, total.note) == (
        "round-trip-other",
        Decimal("99.99"),
        "Corrected.",
    )
