"""The leadership pages: the list of fiscal years, the annual summary and its downloads."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from reporting.access import (
    can_see_findings,
    is_public_reader,
    readable_years,
    refuse_reading,
    summary_access,
)
from reporting.caching import (
    records_key,
    serve_shared_page,
    shared_get,
    shared_page,
    shared_set,
)
from reporting.exporting import CONTENT_TYPES, export_long, export_report_workbook
from reporting.exporting.longform import export_release
from reporting.models import Figure, FiscalYear, Release
from reporting.publication import release_history
from reporting.summary.build import build_summary, years_shown
from reporting.summary.presentation import SummaryPage, staff_findings
from units.models import assigned_unit_ids


@require_safe
@summary_access
def year_list(request: HttpRequest) -> HttpResponse:
    years = readable_years(request.user).order_by("-start_year")
    return render(request, "reporting/year_list.html", {"years": years})


@require_safe
@summary_access
def latest_summary(request: HttpRequest) -> HttpResponse:
    """Home: the newest published year; drafts are reached from the year list."""
    newest = (
        readable_years(request.user)
        .published()
        .order_by("-start_year")
        .values_list("label", flat=True)
        .first()
    )
    if newest is None:
        return redirect("reporting:year_list")
    return redirect("reporting:summary", fiscal_year=newest)


@require_safe
@summary_access
def pick_year(request: HttpRequest) -> HttpResponse:
    """The year picker's target: a plain GET form, so it works without JavaScript."""
    label = request.GET.get("year", "")
    if not readable_years(request.user).filter(label=label).exists():
        raise Http404(f"There is no fiscal year {label}.")
    return redirect("reporting:summary", fiscal_year=label)


@require_safe
@summary_access
def summary(request: HttpRequest, fiscal_year: str) -> HttpResponse:
    staff = can_see_findings(request.user)
    public = is_public_reader(request.user)
    # The page is the same for every reader of one kind (staff see the
    # findings; the public sees published years only, without internal notes
    # or the notice of drafts) until the records change: built once per
    # records version, in the shared cache. A cached page costs one query
    # (the records version); the session and the user come from the cache.
    kind = "staff" if staff else "public" if public else "readers"
    if staff and (units := assigned_unit_ids(request.user)) is not None:
        # A clerk's findings are their units' only: one page per set of units.
        kind = "staff-units-" + "-".join(str(pk) for pk in sorted(units))
    key = records_key("summary-page", fiscal_year, kind)
    page = shared_get(key)
    if page is None:
        year = _readable_year(request, fiscal_year)
        if isinstance(year, HttpResponse):
            return year
        page = shared_page(
            "reporting/summary.html",
            {
                "fiscal_year": fiscal_year,
                "year": year,
                **_summary_parts(request, year, staff=staff, public=public),
            },
            request,
        )
        shared_set(key, page)
    return serve_shared_page(request, page)


def _summary_parts(request: HttpRequest, year: FiscalYear, *, staff: bool, public: bool) -> dict:
    """What the summary page shows of ``year`` to one kind of reader."""
    annual = build_summary(year, internal_notes=not public)
    if public:  # the year picker offers only what this reader may open
        readable = set(readable_years(request.user).values_list("label", flat=True))
        annual.years = [label for label in annual.years if label in readable]
    findings = staff_findings(year.label, request.user) if staff else None
    # Drafts newer than this year, for the staff notice (never for the public).
    drafts = (
        []
        if public
        else list(
            FiscalYear.objects.open()
            .filter(start_year__gt=year.start_year)
            .order_by("-start_year")
            .values_list("label", flat=True)
        )
    )
    return {
        "summary": annual,
        "page": SummaryPage.from_summary(annual, findings=findings),
        "releases": release_history(year),
        "drafts": drafts,
    }


@require_safe
@summary_access
def download_csv(request: HttpRequest, fiscal_year: str) -> HttpResponse:
    """Every figure of the years the page shows (the year and its prior years
    on record that this reader may read) in the long form, one row per
    figure, escaped, with its public note and never the internal one (staff
    only), for any reader."""
    year = _readable_year(request, fiscal_year)
    if isinstance(year, HttpResponse):
        return year
    readable = set(readable_years(request.user).values_list("label", flat=True))
    labels = [label for label in years_shown(year.label) if label in readable]
    figures = Figure.objects.filter(period__fiscal_year__label__in=labels)
    content = export_long(figures, "csv", internal_notes=False)
    response = HttpResponse(content, content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="alert-figures-{year.label}.csv"'
    return response


@require_safe
@summary_access
def download_xlsx(request: HttpRequest, fiscal_year: str) -> HttpResponse:
    """The report-layout workbook: the published tables, one sheet per unit."""
    year = _readable_year(request, fiscal_year)
    if isinstance(year, HttpResponse):
        return year
    content = export_report_workbook(year, internal_notes=not is_public_reader(request.user))
    response = HttpResponse(content, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="alert-report-{year.label}.xlsx"'
    return response


@require_safe
@summary_access
def print_running_header(request: HttpRequest, fiscal_year: str) -> HttpResponse:
    """The summary's print stylesheet of page margins: the year and Draft or
    Published at the top of every printed page, the page number at the foot."""
    year = _readable_year(request, fiscal_year)
    if isinstance(year, HttpResponse):
        return year
    return render(
        request,
        "reporting/print_running_header.css",
        {"fiscal_year": year},
        content_type="text/css; charset=utf-8",
    )


@require_safe
@summary_access
def download_release(request: HttpRequest, fiscal_year: str, number: int) -> HttpResponse:
    """A release's figures exactly as they were published (release 1: as first published)."""
    year = _readable_year(request, fiscal_year)
    if isinstance(year, HttpResponse):
        return year
    release = Release.objects.filter(fiscal_year=year, number=number).first()
    if release is None:
        raise Http404(f"{year.label} has no release {number}.")
    response = HttpResponse(export_release(release, "csv"), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = (
        f'attachment; filename="alert-figures-{year.label}-release-{number}.csv"'
    )
    return response


def _readable_year(request: HttpRequest, label: str) -> FiscalYear | HttpResponse:
    """The year, if this reader may read it; 404 for an unknown year; the login
    page or 403 for a draft the reader may not see."""
    year = readable_years(request.user).filter(label=label).first()
    if year is not None:
        return year
    if not FiscalYear.objects.filter(label=label).exists():
        raise Http404(f"There is no fiscal year {label}.")
    return refuse_reading(request)
