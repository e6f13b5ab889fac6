"""The shipped dataset equals ALERT's 2023-24 annual report, figure for figure."""

from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from reporting.models import Figure, FiscalYear
from tests.seed import expected_figures, read_tables, regional_totals
from units.models import Metric, Region, Unit


def figures_on_record() -> dict[tuple[str, str, str, str, str], Decimal]:
    return {
        (
            figure.metric.unit.code,
            figure.metric.label.upper(),
            figure.period.fiscal_year.label,
            figure.period.period,
            figure.region.name.upper() if figure.region_id else "",
        ): figure.value
        for figure in Figure.objects.with_keys()
    }


def test_every_figure_equals_the_seed_and_nothing_else_is_recorded(dataset):
    assert figures_on_record() == expected_figures()


def test_catalogue_matches_the_report(dataset):
    assert list(Unit.objects.values_list("code", "program")) == [
        ("ICE", "Protecting Kids Online"),
        ("HTCE", "Stopping Human Trafficking"),
        ("CISA", "Intelligence & Expertise"),
        ("CFSEU", "Disrupt & Dismantle Organized Crime"),
        ("AUTO", "Organized Property Crimes"),
        ("FIREARMS", "Firearms investigations"),
    ]
    tables, _ = read_tables()
    for unit, rows in tables.items():
        printed = [label for label, _ in rows]
        recorded = [m.label.upper() for m in Metric.objects.filter(unit__code=unit)]
        assert recorded == printed, unit
    assert Region.objects.count() == 8
    assert list(FiscalYear.objects.values_list("label", flat=True)) == [
        "2023-24",
        "2022-23",
        "2021-22",
    ]


def test_dollar_rows_are_currency_and_the_rest_are_counts(dataset):
    currency = set(
        Metric.objects.filter(value_type=Metric.ValueType.CURRENCY).values_list(
            "unit__code", "code"
        )
    )
    assert currency == {
        ("CFSEU", "est-value-of-drugs-seized"),
        ("CFSEU", "proceeds-of-crime-seized"),
        ("AUTO", "recovered-assets"),
    }


def test_loading_twice_changes_nothing(dataset):
    before = figures_on_record()
    history_before = Figure.history.count()
    out = StringIO()
    call_command("load_dataset", stdout=out)
    assert figures_on_record() == before
    assert Figure.history.count() == history_before
    assert "0 new, 0 updated, 201 unchanged" in out.getvalue()


def test_load_if_empty_leaves_an_existing_database_alone(dataset):
    Figure.objects.filter(metric__unit__code="ICE").delete()
    remaining = Figure.objects.count()
    call_command("load_dataset", "--if-empty", stdout=StringIO())
    assert Figure.objects.count() == remaining


def test_each_units_quarters_add_up_to_its_printed_year(dataset):
    totals = defaultdict(Decimal)
    full_year = {}
    for figure in Figure.objects.with_keys().for_year("2023-24").unit_wide():
        key = (figure.metric.unit.code, figure.metric.code)
        if figure.period.period == "FY":
            full_year[key] = figure.value
        else:
            totals[key] += figure.value
    assert totals, "no quarterly figures"
    for key, quarters in totals.items():
        assert quarters == full_year[key], key


def test_regional_rows_add_up_to_the_printed_totals_and_to_cfseus_own_figures(dataset):
    by_heading = defaultdict(Decimal)
    for figure in Figure.objects.with_keys().regional():
        by_heading[figure.metric.regional_label.upper()] += figure.value
    assert dict(by_heading) == regional_totals()
    own = {
        figure.metric.regional_label.upper(): figure.value
        for figure in Figure.objects.with_keys()
        .for_year("2023-24")
        .unit_wide()
        .full_year()
        .filter(metric__unit__code="CFSEU")
    }
    assert own == regional_totals()


@pytest.mark.parametrize(
    ("unit", "metric"),
    [
        ("FIREARMS", "gun-seizures"),
        ("FIREARMS", "suspects-charged"),
        ("FIREARMS", "charges-laid"),
        ("AUTO", "suspects-charged"),
        ("AUTO", "charges-laid"),
    ],
)
def test_rows_the_source_lost_have_no_invented_quarters_and_say_so(dataset, unit, metric):
    figures = Figure.objects.with_keys().filter(metric__unit__code=unit, metric__code=metric)
    assert not figures.quarterly().exists()
    assert any("does not show" in f.note or "source lost" in f.note for f in figures)


def test_the_recovered_assets_typo_is_corrected_and_noted(dataset):
    figure = (
        Figure.objects.for_year("2023-24")
        .full_year()
        .get(metric__unit__code="AUTO", metric__code="recovered-assets")
    )
    assert figure.value == Decimal("2741025")
    assert "$2,741025" in figure.note


def test_the_shipped_public_notes_are_plain_statements_for_readers(dataset):
    """The conversion's story (the source, the print, its typos) stays in the
    internal notes; a reader's footnote says only what the reader sees."""
    from reporting.models import PublishedTotal

    public = list(Figure.objects.exclude(public_note="").values_list("public_note", flat=True))
    public += list(PublishedTotal.objects.exclude(note="").values_list("note", flat=True))
    assert len(public) == 6
    for note in public:
        for story in ("source", "printed", "published report", "comma", "leaves them out"):
            assert story not in note.lower(), note
    quarters_missing = Figure.objects.filter(
        public_note__startswith="Quarterly figures were not published for this row."
    )
    assert quarters_missing.count() == 4
