"""The long form for download: one row per figure, the columns the importer reads."""

from django.db.models import QuerySet

from reporting.exporting.tables import write_table
from reporting.models import Figure, FiscalYear


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


def export_release(release, fmt: str = "csv") -> bytes:
    """The figures a release's page showed, as published: the year's own, then
    the prior years' as their releases had them, in the long form's key and
    value columns with the public note (the internal note's column empty, as
    in every public download), escaped."""
    from reporting.releases import release_rows

    headings = ["unit", "metric", "fiscal_year", "period", "region", "value", "note"]
    headings += ["public_note"]
    table = [
        [
            entry["unit"],
            entry["metric"],
            label,
            entry["period"],
            entry["region"],
            entry["value"],
            "",
            entry.get("public_note", ""),
        ]
        for label, entry in release_rows(release)
    ]
    return write_table(headings, table, fmt, title=f"release {release.number}")
