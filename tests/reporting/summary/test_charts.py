"""The summary's charts: well-formed SVG, bars in proportion, text for every figure."""

import xml.etree.ElementTree as ET
from decimal import Decimal

from reporting.summary.build import MetricRow, YearFigure
from reporting.summary.charts import BASELINE, PLOT, quarterly_chart, trend_chart

SVG = "{http://www.w3.org/2000/svg}"


def row(quarters, year=None, prior=None, label="File intakes", value_type="count") -> MetricRow:
    return MetricRow(
        code="file-intakes",
        label=label,
        value_type=value_type,
        headline=False,
        regional_label="",
        quarters=[Decimal(q) if q is not None else None for q in quarters],
        year=year or YearFigure(None, None),
        prior_years=prior or [YearFigure(None, None), YearFigure(None, None)],
        change=None,
        change_percent=None,
    )


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises on anything that is not well-formed XML


def bars(root: ET.Element) -> list[ET.Element]:
    return [rect for rect in root.iter(f"{SVG}rect") if "bar" in rect.get("class", "")]


def texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


def test_quarterly_bars_are_in_proportion_to_the_figures():
    root = parse(quarterly_chart("ICE", row([680, 872, 1149, 1114]), "2023-24"))
    heights = [float(rect.get("height")) for rect in bars(root)]
    assert heights[2] == PLOT  # the largest quarter fills the plot
    assert abs(heights[0] - PLOT * 680 / 1149) < 0.1
    for rect in bars(root):
        assert abs(float(rect.get("y")) + float(rect.get("height")) - BASELINE) < 0.1
    assert texts(root)[:2] == ["680", "Q1"]


def test_a_quarter_not_reported_has_no_bar_and_says_so():
    root = parse(quarterly_chart("ICE", row([680, None, 1149, 1114]), "2023-24"))
    assert len(bars(root)) == 3
    # A dash on the chart (a word would collide with its neighbours), the words in its text.
    assert "—" in texts(root) and "not reported" not in texts(root)
    assert "Q2 not reported" in root.find(f"{SVG}desc").text


def test_no_quarterly_chart_when_no_quarter_was_reported():
    assert quarterly_chart("FIREARMS", row([None] * 4), "2023-24") is None


def test_charts_have_a_title_and_description_that_read_out_the_figures():
    root = parse(quarterly_chart("ICE", row([680, 872, 1149, 1114]), "2023-24"))
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "File intakes, 2023-24 by quarter"
    assert desc.text == "File intakes in 2023-24: Q1 680, Q2 872, Q3 1,149, Q4 1,114."


def test_labels_are_escaped():
    svg = quarterly_chart(
        "ICE", row([1, 2, 3, 4], label='<script>alert("x")</script> & co'), "2023-24"
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    parse(svg)


def test_trend_runs_oldest_first_with_the_current_year_solid_and_prior_years_hatched():
    trend = trend_chart(
        "ICE",
        row(
            [None] * 4,
            year=YearFigure(Decimal(3815), "recorded"),
            prior=[YearFigure(Decimal(2994), "recorded"), YearFigure(Decimal(2764), "recorded")],
        ),
        "2023-24",
        ["2022-23", "2021-22"],
    )
    root = parse(trend)
    labels = [t for t in texts(root) if t and t.startswith("20")]
    assert labels == ["2021-22", "2022-23", "2023-24"]
    classes = [rect.get("class") for rect in bars(root)]
    assert classes == ["bar-prior", "bar-prior", "bar-current"]
    hatched = [rect.get("fill") for rect in bars(root)]
    assert hatched[0] == hatched[1] == "url(#chart-ice-file-intakes-trend-hatch)"
    assert root.find(f"{SVG}defs/{SVG}pattern").get("id") == "chart-ice-file-intakes-trend-hatch"
    assert "2021-22 2,764, 2022-23 2,994, 2023-24 3,815" in root.find(f"{SVG}desc").text


def test_a_partial_year_is_outlined_and_labelled_partial():
    root = parse(
        trend_chart(
            "ICE",
            row([680, 872, None, None], year=YearFigure(Decimal(1552), "partial")),
            "2023-24",
            ["2022-23", "2021-22"],
        )
    )
    assert [rect.get("class") for rect in bars(root)] == ["bar-current bar-partial"]
    assert "partial" in texts(root)
    assert "(partial)" in root.find(f"{SVG}desc").text


def test_no_trend_when_no_year_was_reported():
    assert trend_chart("ICE", row([None] * 4), "2023-24", ["2022-23", "2021-22"]) is None
