"""Figures and labels as people read them: one module, exact Decimals."""

import ast
from decimal import Decimal
from pathlib import Path

import pytest

from reporting import formatting
from reporting.formatting import (
    arrow,
    figure_label,
    format_change,
    format_chart_figures,
    format_figure,
    format_percent,
    number_format,
    plain_number,
)

REPORTING = Path(formatting.__file__).parent


@pytest.mark.parametrize(
    ("value", "value_type", "expected"),
    [
        (Decimal(1334), "count", "1,334"),
        (Decimal("1334.00"), "count", "1,334"),
        (Decimal("2.5"), "count", "2.5"),
        (Decimal(0), "count", "0"),
        (Decimal("2741025.00"), "currency", "$2,741,025"),
        (Decimal("2741025.5"), "currency", "$2,741,025.50"),
        (Decimal("0.07"), "currency", "$0.07"),
        (None, "count", "—"),
        (None, "currency", "—"),
    ],
)
def test_a_figure_reads_as_people_write_it(value, value_type, expected):
    assert format_figure(value, value_type) == expected


def test_a_change_carries_its_sign_and_its_kind():
    assert format_change(Decimal(821), "count") == "+821"
    assert format_change(Decimal(-88), "count") == "\u221288"
    assert format_change(Decimal(1234), "currency") == "+$1,234"
    assert format_change(Decimal(0), "count") == "0"
    assert format_change(None, "count") == ""


def test_a_percent_change_carries_its_sign():
    assert format_percent(Decimal("27.4")) == "+27.4%"
    assert format_percent(Decimal("-3.0")) == "\u22123.0%"
    assert format_percent(Decimal(0)) == "0%"
    assert format_percent(None) == ""


def test_the_arrow_follows_the_change():
    assert arrow(Decimal(5)) == "▲"
    assert arrow(Decimal(-5)) == "▼"
    assert arrow(Decimal(0)) == arrow(None) == "■"


def test_a_chart_prints_its_figures_in_one_number_format_chosen_by_the_largest():
    d = Decimal
    # A partial year's figures with cents: one format, never "$52,970.50" beside "$218.1K".
    assert format_chart_figures([d("52970.50"), d("61000.25"), None, d(218133)], "currency") == [
        "$53.0K",
        "$61.0K",
        "—",
        "$218.1K",
    ]
    assert format_chart_figures([d(680), d(872), d(1149), d(1114)]) == [
        "680",
        "872",
        "1,149",
        "1,114",
    ]
    assert format_chart_figures([d(262400), d(511133), d(1374310)]) == ["0.26M", "0.51M", "1.37M"]
    assert format_chart_figures([d(334093020), d(5334163)], "currency") == ["$334.09M", "$5.33M"]
    assert format_chart_figures([d("52.50"), d(3)], "currency") == ["$52", "$3"]
    assert format_chart_figures([None, d(0)]) == ["—", "0"]


def test_files_get_plain_exact_numbers_and_workbooks_a_number_format():
    assert plain_number(Decimal("12.00")) == 12
    assert plain_number(Decimal("1234.5")) == Decimal("1234.50")
    assert plain_number(None) is None
    assert number_format("count") == "#,##0"
    assert number_format("currency") == '"$"#,##0'
    assert number_format("currency", [Decimal("12"), None]) == '"$"#,##0'
    assert number_format("currency", [Decimal("12.50")]) == '"$"#,##0.00'
    assert number_format("count", [Decimal("12.50")]) == "#,##0"


def test_a_figure_label_names_unit_metric_year_period_and_region(dataset):
    from reporting.models import Figure

    figure = Figure.objects.with_keys().get(
        metric__unit__code="CFSEU",
        metric__code="suspects-charged",
        period__period="FY",
        region__name="Calgary",
    )
    assert figure_label(figure) == "CFSEU · Suspects charged 2023-24 FY Calgary"
    assert str(figure) == figure_label(figure)
    unit_wide = Figure.objects.with_keys().get(
        metric__unit__code="ICE", metric__code="file-intakes", period__period="Q1"
    )
    assert figure_label(unit_wide) == "ICE · File intakes 2023-24 Q1"


def test_nothing_but_templates_uses_the_template_filters():
    """Python code formats through reporting.formatting; the filters only wrap it."""
    importers = []
    for path in REPORTING.rglob("*.py"):
        if "templatetags" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and "templatetags" in (node.module or ""):
                importers.append(str(path.relative_to(REPORTING)))
    assert importers == []


def test_a_change_is_coloured_only_by_a_metrics_polarity():
    from reporting.formatting import tone
    from units.models import Metric

    assert tone(Decimal(5)) == tone(Decimal(-5)) == "neutral"
    assert tone(Decimal(5), Metric.Polarity.HIGHER_IS_BETTER) == "good"
    assert tone(Decimal(-5), Metric.Polarity.HIGHER_IS_BETTER) == "bad"
    assert tone(Decimal(5), Metric.Polarity.HIGHER_IS_WORSE) == "bad"
    assert tone(Decimal(0), Metric.Polarity.HIGHER_IS_WORSE) == "neutral"
    assert tone(None, Metric.Polarity.HIGHER_IS_WORSE) == "neutral"


def test_quarters_are_named_as_a_run_or_a_list():
    from reporting.formatting import format_quarters

    assert format_quarters(["Q1", "Q2"]) == "Q1–Q2"
    assert format_quarters(["Q2", "Q3", "Q4"]) == "Q2–Q4"
    assert format_quarters(["Q3"]) == "Q3"
    assert format_quarters(["Q1", "Q3"]) == "Q1, Q3"
