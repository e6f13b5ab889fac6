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
    ``internal_notes=False`` leaves out the ``note`` column (staff only): the
    report's own download carries the public notes alone. A file without
    the column still imports, keeping the notes on record.
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
    if not internal_notes:
        del dataset["note"]
    return write_table(dataset.headers, dataset, fmt)
