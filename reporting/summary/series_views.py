"""A metric's whole series: its page and its CSV (``reporting.summary.series``)."""

import csv
import io

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from reporting.access import is_public_reader, readable_years, summary_access
from reporting.summary.series import CSV_COLUMNS, MetricSeries, build_series, series_rows
from tabular.escaping import escape_cell
from tabular.writers import CONTENT_TYPES
from units.models import Metric


def _series(request: HttpRequest, unit: str, metric: str) -> MetricSeries:
    found = Metric.objects.select_related("unit").filter(unit__code=unit, code=metric).first()
    if found is None or not found.unit.active:
        raise Http404(f"There is no metric {metric} of unit {unit}.")
    # Drafts only to those who may read drafts (the roles); the public sees
    # the published years, from their releases.
    return build_series(
        found,
        list(readable_years(request.user)),
        corrections=not is_public_reader(request.user),
    )


@require_safe
@summary_access
def metric_series(request: HttpRequest, unit: str, metric: str) -> HttpResponse:
    return render(request, "reporting/series.html", {"series": _series(request, unit, metric)})


@require_safe
@summary_access
def metric_series_csv(request: HttpRequest, unit: str, metric: str) -> HttpResponse:
    series = _series(request, unit, metric)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in series_rows(series):
        writer.writerow({name: escape_cell(value) for name, value in row.items()})
    response = HttpResponse(out.getvalue(), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = content_disposition_header(
        True, f"alert-series-{series.unit_code}-{series.metric_code}.csv"
    )
    return response
