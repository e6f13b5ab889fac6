"""Charts of the annual summary, drawn on the server as inline SVG.

No JavaScript and nothing from a CDN: each chart is a small SVG string built
from the summary's plain data. They stay legible in print and in grayscale —
every bar carries its figure as text, the year being reported is solid while
prior years are hatched, a partial year is outlined with dashes and labelled
"partial" — and each has a <title> and a <desc> that read the figures out.
"""

from decimal import Decimal
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from reporting.formatting import format_chart_figures, format_figure
from reporting.summary.build import QUARTERS, MetricRow, YearFigure

WIDTH = 220
HEIGHT = 116
TOP = 18  # room for the figure printed above the tallest bar
BASELINE = 82
LABEL_Y = 97
SUBLABEL_Y = 111
PLOT = BASELINE - TOP
# Every text is 11 units high, and the page never draws a chart narrower
# than its viewBox (site.css), so chart text is never under 11 px on screen.


def _bar_height(value: Decimal | None, largest: Decimal) -> Decimal:
    if value is None or largest <= 0:
        return Decimal(0)
    height = value * PLOT / largest
    # A reported figure never disappears: at least a hairline.
    return max(height, Decimal(1)) if value > 0 else Decimal(0)


def _svg(
    chart_id: str,
    title: str,
    desc: str,
    body: list[str],
    defs: str = "",
    kind: str = "",
    width: int = WIDTH,
) -> SafeString:
    # A series chart is drawn at its own size (one unit a pixel: its text is
    # 11 px) and scrolls sideways where the screen is narrower.
    size = f'width="{width}" height="{HEIGHT}" ' if kind == "series" else ""
    return mark_safe(  # noqa: S308 - every text below is escaped
        f'<svg class="chart chart-{kind}" {size}viewBox="0 0 {width} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
        f"{defs}"
        f'<line class="chart-axis" x1="8" y1="{BASELINE}" x2="{width - 8}" y2="{BASELINE}"/>'
        + "".join(body)
        + "</svg>"
    )


def _bars(
    chart_id: str,
    labels: list[str],
    values: list[Decimal | None],
    value_type: str,
    styles,
    width: int = WIDTH,
) -> list[str]:
    """Bars side by side with their figure above and their label below."""
    largest = max((v for v in values if v is not None), default=Decimal(0))
    texts = format_chart_figures(values, value_type)  # one number format per chart
    slot = (width - 16) / len(values)
    bar_width = slot * 0.62
    body = []
    for position, (label, value, text, (css_class, sublabel)) in enumerate(
        zip(labels, values, texts, styles, strict=True)
    ):
        centre = 8 + slot * position + slot / 2
        height = float(_bar_height(value, largest))
        if height:
            body.append(
                f'<rect class="{css_class}" x="{centre - bar_width / 2:.1f}" '
                f'y="{BASELINE - height:.1f}" width="{bar_width:.1f}" height="{height:.1f}"/>'
            )
        body.append(
            f'<text class="chart-value" x="{centre:.1f}" y="{BASELINE - height - 5:.1f}" '
            f'text-anchor="middle">{escape(text)}</text>'
        )
        body.append(
            f'<text class="chart-label" x="{centre:.1f}" y="{LABEL_Y}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
        if sublabel:
            body.append(
                f'<text class="chart-sublabel" x="{centre:.1f}" y="{SUBLABEL_Y}" '
                f'text-anchor="middle">{escape(sublabel)}</text>'
            )
    return body


def chart_id_for(*parts: str) -> str:
    return "chart-" + "-".join(slugify(part) for part in parts)


def quarterly_chart(unit_code: str, row: MetricRow, fiscal_year: str) -> SafeString | None:
    """The year's figure for each quarter as bars; None when no quarter was reported."""
    if all(value is None for value in row.quarters):
        return None
    return _quarterly_chart(
        unit_code, row.code, row.label, row.value_type, tuple(row.quarters), fiscal_year
    )


def _hatch(chart_id: str) -> str:
    return (
        f'<defs><pattern id="{chart_id}-hatch" class="chart-hatch" width="6" height="6" '
        f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" class="hatch-ground"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" class="hatch-line"/></pattern></defs>'
    )


def trend_chart(
    unit_code: str, row: MetricRow, fiscal_year: str, prior_years: list[str]
) -> SafeString | None:
    """The metric over the years shown, oldest first; None when no year was
    reported, or when the unit has no prior year (one bar is no trend)."""
    if not prior_years:
        return None
    years = tuple(
        (label, year.value, year.source)
        for label, year in zip(
            [*reversed(prior_years), fiscal_year],
            [*reversed(row.prior_years), row.year],
            strict=True,
        )
    )
    if all(value is None for _, value, _ in years):
        return None
    return _trend_chart(unit_code, row.code, row.label, row.value_type, years, fiscal_year)


# Charts are pure functions of their figures, so the page reuses the SVG of
# figures it has drawn before (a changed figure is a different key).
@lru_cache(maxsize=4096)
def _quarterly_chart(unit_code, code, label, value_type, quarters, fiscal_year) -> SafeString:
    chart_id = chart_id_for(unit_code, code, "quarters")
    readings = ", ".join(
        f"{quarter} {format_figure(value, value_type) if value is not None else 'not reported'}"
        for quarter, value in zip(QUARTERS, quarters, strict=True)
    )
    # A quarter not reported prints a dash (the key says so): a word would
    # not fit beside its neighbours.
    styles = [("bar-quarter", "") for _ in quarters]
    body = _bars(chart_id, list(QUARTERS), list(quarters), value_type, styles)
    return _svg(
        chart_id,
        f"{label}, {fiscal_year} by quarter",
        f"{label} in {fiscal_year}: {readings}.",
        body,
        kind="quarterly",
    )


@lru_cache(maxsize=4096)
def _trend_chart(unit_code, code, label, value_type, year_figures, fiscal_year) -> SafeString:
    years = [(year_label, YearFigure(value, source)) for year_label, value, source in year_figures]
    chart_id = chart_id_for(unit_code, code, "trend")
    styles = []
    for year_label, year in years:
        css_class = "bar-current" if year_label == fiscal_year else "bar-prior"
        if year.is_partial:
            css_class += " bar-partial"
        sublabel = "partial" if year.is_partial else ""
        styles.append((css_class, sublabel))
    body = _bars(
        chart_id, [y_label for y_label, _ in years], [y.value for _, y in years], value_type, styles
    )
    # Prior years are filled with the hatch pattern (set here, not in CSS, as
    # the pattern's id belongs to this chart).
    body = [
        part.replace('class="bar-prior', f'fill="url(#{chart_id}-hatch)" class="bar-prior')
        for part in body
    ]
    readings = ", ".join(
        f"{y_label} {format_figure(year.value, value_type) if year.value is not None else 'not reported'}"
        + (" (partial)" if year.is_partial else "")
        for y_label, year in years
    )
    return _svg(
        chart_id,
        f"{label}, three-year trend",
        f"{label} by fiscal year: {readings}.",
        body,
        defs=_hatch(chart_id),
        kind="trend",
    )


# A year's bar in a metric's whole series needs room for "2023-24" and its figure.
SERIES_SLOT = 50


def series_chart(
    chart_id: str, label: str, value_type: str, years: list[tuple[str, YearFigure, bool]]
) -> SafeString | None:
    """A metric over every year on record, oldest first, one bar per year:
    published years solid, a draft year hatched and labelled "draft", a
    partial year outlined with dashes. None when no year was reported."""
    if all(year.value is None for _, year, _ in years):
        return None
    width = max(WIDTH, 16 + SERIES_SLOT * len(years))
    styles = []
    for _, year, draft in years:
        css_class = "bar-prior" if draft else "bar-current"
        if year.is_partial:
            css_class += " bar-partial"
        sublabel = "draft" if draft else "partial" if year.is_partial else ""
        styles.append((css_class, sublabel))
    body = _bars(
        chart_id,
        [year_label for year_label, _, _ in years],
        [year.value for _, year, _ in years],
        value_type,
        styles,
        width=width,
    )
    body = [
        part.replace('class="bar-prior', f'fill="url(#{chart_id}-hatch)" class="bar-prior')
        for part in body
    ]
    readings = ", ".join(
        f"{year_label} {format_figure(year.value, value_type) if year.value is not None else 'not reported'}"
        + (" (draft)" if draft else "")
        + (" (partial)" if year.is_partial else "")
        for year_label, year, draft in years
    )
    return _svg(
        chart_id,
        f"{label}, every year on record",
        f"{label} by fiscal year: {readings}.",
        body,
        defs=_hatch(chart_id),
        kind="series",
        width=width,
    )
