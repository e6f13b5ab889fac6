"""The long form for download: one row per figure, the columns the importer reads."""

from django.db.models import QuerySet

from reporting.models import Figure, FiscalYear
from tabular.writers import write_table


def export_long(
    figures: QuerySet | FiscalYear | str | None = None,
    fmt: str = "csv",
    *,
    internal_notes: bool = True,
) -> bytes:
    """The figures as a long-form file (csv, xlsx or json), escaped.

    ``figures`` is a Figure queryset (the admin's filtered changelist,
    say), a fiscal year or its label, or None for every figure on record.
    ``internal_notes`` False blanks the ``note`` column (a public download).
    """
    from reporting.resources import FigureResource

    resource = FigureResource()
    if figures is None:
        queryset = resource.get_queryset()
    elif isinstance(figures, QuerySet):
        queryset = Figure.objects.filter(pk__in=figures.values("pk")).with_keys().in_report_order()
    else:
        queryset = resource.get_queryset().for_year(figures)
    dataset = resource.export(queryset=queryset)
    rows = dataset
    if not internal_notes:
        at = dataset.headers.index("note")
        rows = [[*row[:at], "", *row[at + 1 :]] for row in dataset]
    return write_table(dataset.headers, rows, fmt)


# A release's CSV: each code beside its label, so that a reader needs no
# other file to read it (reporting.exporting.datapackage describes each column).
RELEASE_COLUMNS = [
    "unit",
    "unit_name",
    "metric",
    "metric_label",
    "value_type",
    "fiscal_year",
    "period",
    "period_label",
    "region",
    "value",
]


def export_release(release, fmt: str = "csv", *, with_prior_years: bool = False) -> bytes:
    """A release's figures as published, codes and labels side by side (and
    the public note, where the release holds one), escaped. With
    ``with_prior_years``, every figure its page showed: the year's own, then
    the prior years' as their releases had them (the page's CSV download)."""
    from reporting.models import ReportingPeriod
    from reporting.releases import release_rows
    from units.models import Unit

    unit_names = dict(Unit.objects.values_list("code", "name"))
    period_labels = dict(ReportingPeriod.Period.choices)
    rows = release_rows(release)
    if not with_prior_years:
        rows = [(label, entry) for label, entry in rows if label == release.fiscal_year.label]
    has_public_note = any("public_note" in entry for _, entry in rows)
    headings = RELEASE_COLUMNS + (["public_note"] if has_public_note else [])
    table = [
        [
            entry["unit"],
            unit_names.get(entry["unit"], ""),
            entry["metric"],
            entry.get("metric_label", ""),
            entry.get("value_type", ""),
            label,
            entry["period"],
            period_labels.get(entry["period"], ""),
            entry["region"],
            entry["value"],
            *([entry.get("public_note", "")] if has_public_note else []),
        ]
        for label, entry in rows
    ]
    return write_table(headings, table, fmt, title=f"release {release.number}")
