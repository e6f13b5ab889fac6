"""The leadership pages: the list of fiscal years, the annual summary and its downloads."""

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from reporting.access import can_see_findings, summary_access
from reporting.exporting import CONTENT_TYPES, export_long, export_report_workbook
from reporting.models import Figure, FiscalYear
from reporting.summary.build import build_summary, records_version, years_shown
from reporting.summary.presentation import SummaryPage, staff_findings

SUMMARY_CACHE_SECONDS = 60 * 60


@require_safe
@summary_access
def year_list(request: HttpRequest) -> HttpResponse:
    years = FiscalYear.objects.order_by("-start_year")
    return render(request, "reporting/year_list.html", {"years": years})


@require_safe
@summary_access
def latest_summary(request: HttpRequest) -> HttpResponse:
    newest = FiscalYear.objects.order_by("-start_year").values_list("label", flat=True).first()
    if newest is None:
        return redirect("reporting:year_list")
    return redirect("reporting:summary", fiscal_year=newest)


@require_safe
@summary_access
def pick_year(request: HttpRequest) -> HttpResponse:
    """The year picker's target: a plain GET form, so it works without JavaScript."""
    label = request.GET.get("year", "")
    if not FiscalYear.objects.filter(label=label).exists():
        raise Http404(f"There is no fiscal year {label}.")
    return redirect("reporting:summary", fiscal_year=label)


@require_safe
@summary_access
def summary(request: HttpRequest, fiscal_year: str) -> HttpResponse:
    staff = can_see_findings(request.user)
    # The content is the same for every viewer of one kind (staff see the
    # findings) until the records change: render it once per records version.
    key = f"summary-content:{fiscal_year}:{'staff' if staff else 'readers'}:{records_version()}"
    content = cache.get(key)
    if content is None:
        try:
            annual = build_summary(fiscal_year)
        except FiscalYear.DoesNotExist as exc:
            raise Http404(str(exc)) from exc
        findings = staff_findings(fiscal_year) if staff else None
        page = SummaryPage.from_summary(annual, findings=findings)
        content = render_to_string(
            "reporting/summary_content.html", {"summary": annual, "page": page}, request=request
        )
        cache.set(key, content, SUMMARY_CACHE_SECONDS)
    return render(
        request,
        "reporting/summary.html",
        {"fiscal_year": fiscal_year, "content": mark_safe(content)},  # our own rendered HTML
    )


@require_safe
@summary_access
def download_csv(request: HttpRequest, fiscal_year: str) -> HttpResponse:
    """Every figure of the years the page shows (the year and its prior years
    on record) in the long form, one row per figure, escaped."""
    year = _year_or_404(fiscal_year)
    figures = Figure.objects.filter(period__fiscal_year__label__in=years_shown(year.label))
    response = HttpResponse(export_long(figures, "csv"), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="alert-figures-{year.label}.csv"'
    return response


@require_safe
@summary_access
def download_xlsx(request: HttpRequest, fiscal_year: str) -> HttpResponse:
    """The report-layout workbook: the published tables, one sheet per unit."""
    year = _year_or_404(fiscal_year)
    response = HttpResponse(export_report_workbook(year), content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="alert-report-{year.label}.xlsx"'
    return response


@require_safe
@summary_access
def print_running_header(request: HttpRequest, fiscal_year: str) -> HttpResponse:
    """The summary's print stylesheet of page margins: the year and Draft or
    Published at the top of every printed page, the page number at the foot."""
    year = _year_or_404(fiscal_year)
    return render(
        request,
        "reporting/print_running_header.css",
        {"fiscal_year": year},
        content_type="text/css; charset=utf-8",
    )


def _year_or_404(label: str) -> FiscalYear:
    try:
        return FiscalYear.objects.get(label=label)
    except FiscalYear.DoesNotExist as exc:
        raise Http404(f"There is no fiscal year {label}.") from exc
