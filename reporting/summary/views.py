"""The leadership pages: the list of fiscal years, the annual summary and its downloads.

A published year's page is its newest release, never the live records: the
page, its CSV and workbook, its print header and every earlier release
(``release-<n>/``) are drawn from the release's content. Because a release
never changes, its page is rendered once and kept in the cache under the
release's digest, and a repeat request carrying the page's ETag (the digest)
is answered 304 by Django's conditional view processing. A draft, and the
draft of a correction (``draft/``, staff only), are read from the records
and never cached.
"""

import hashlib

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.views.decorators.http import condition, require_safe

from reporting.access import (
    can_see_findings,
    is_public_reader,
    readable_year,
    readable_years,
    summary_access,
)
from reporting.exporting import export_long, export_report_workbook
from reporting.exporting.longform import export_release
from reporting.models import Figure, FiscalYear, Release
from reporting.publication import release_history
from reporting.releases import summary_of
from reporting.summary.build import build_summary, years_shown
from reporting.summary.presentation import SummaryPage, staff_findings
from tabular.writers import CONTENT_TYPES

# Where a cached published page takes what differs per request: the site's
# navigation (it names the reader and carries their CSRF token), the notices
# of drafts and corrections, the year picker (the years this reader may open).
NAV_MARK = mark_safe("<!-- reader:nav -->")
NOTICES_MARK = mark_safe("<!-- reader:notices -->")
PICKER_MARK = mark_safe("<!-- reader:picker -->")
# A release's page never changes: a day in the cache, renewed on use elsewhere.
RELEASE_PAGE_SECONDS = 24 * 60 * 60


@require_safe
@summary_access
def year_list(request: HttpRequest) -> HttpResponse:
    years = readable_years(request.user).with_newest_release().order_by("-start_year")
    return render(request, "reporting/year_list.html", {"years": years})


@require_safe
@summary_access
def latest_summary(request: HttpRequest) -> HttpResponse:
    """Home: the newest published year (one with a release; a correction in
    preparation does not take it away); drafts are reached from the year list."""
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


def _reader_kind(request: HttpRequest) -> str:
    return "public" if is_public_reader(request.user) else "role"


def _page_etag(request: HttpRequest, year: FiscalYear, *args, **kwargs) -> str | None:
    """A published page's ETag: its release's digest, the reader's kind, and
    what the page says per request (the notices, the years offered), so a
    change of any of them is a new tag. None for a draft (never cached)."""
    if year.release_number is None:
        return None
    return "-".join((year.release_sha256[:32], *_reader_parts(request, year)))


def _reader_parts(request: HttpRequest, year: FiscalYear) -> tuple[str, ...]:
    user = request.user.get_username() if request.user.is_authenticated else ""
    offered = "\x1f".join((user, *_years_offered(request)))
    return (_reader_kind(request), year.status, hashlib.sha256(offered.encode()).hexdigest()[:16])


def _years_offered(request: HttpRequest) -> list[str]:
    cached = getattr(request, "_alert_years_offered", None)
    if cached is None:
        cached = list(
            readable_years(request.user).order_by("-start_year").values_list("label", flat=True)
        )
        request._alert_years_offered = cached
    return cached


@require_safe
@readable_year
@condition(etag_func=_page_etag)
def summary(request: HttpRequest, year: FiscalYear) -> HttpResponse:
    if year.release_number is None:
        return _draft_page(request, year)
    release = Release(
        fiscal_year=year, number=year.release_number, sha256=year.release_sha256
    )  # its key only: the content is read if the page is not in the cache
    return _release_page(request, year, release, current=True)


@require_safe
@readable_year
def draft(request: HttpRequest, year: FiscalYear) -> HttpResponse:
    """The live records of a year, as a draft: a correction being prepared of
    a published year, or a year never published. Staff only (never the public)."""
    if is_public_reader(request.user):
        raise Http404(f"There is no fiscal year {year.label}.")
    return _draft_page(request, year)


@require_safe
@readable_year
def release_page(request: HttpRequest, year: FiscalYear, number: int) -> HttpResponse:
    """Any release of a year, exactly as it was published."""
    release = release_or_404(year, number)
    return _release_page(request, year, release, current=False)


def release_or_404(year: FiscalYear, number: int) -> Release:
    release = Release.objects.filter(fiscal_year=year, number=number).first()
    if release is None:
        raise Http404(f"{year.label} has no release {number}.")
    return release


def _release_page(
    request: HttpRequest, year: FiscalYear, release: Release, *, current: bool
) -> HttpResponse:
    key = f"release-page:{release.sha256}:{'current' if current else 'archived'}"

    def rendered() -> str:
        stored = release if release.content else release_or_404(year, release.number)
        annual = summary_of(stored)
        history = release_history(year, up_to=stored.number)
        marks = {key: change.anchor for key, change in history.marks().items()}
        return render_to_string(
            "reporting/summary.html",
            {
                "fiscal_year": year.label,
                "summary": annual,
                "page": SummaryPage.from_summary(annual, revised=marks),
                "releases": history,
                "release": stored,
                "current": current,
                "site_nav_mark": NAV_MARK,
                "notices_mark": NOTICES_MARK,
                "picker_mark": PICKER_MARK if current else "",
            },
        )

    html = cache.get_or_set(key, rendered, RELEASE_PAGE_SECONDS)
    response = HttpResponse(
        html.replace(NAV_MARK, _nav(request), 1)
        .replace(NOTICES_MARK, _notices(request, year), 1)
        .replace(PICKER_MARK, _picker(request, year) if current else "", 1)
    )
    patch_vary_headers(response, ["Cookie"])
    return response


def _nav(request: HttpRequest) -> str:
    return render_to_string("partials/site_nav.html", {"user": request.user}, request)


def _notices(request: HttpRequest, year: FiscalYear) -> str:
    if is_public_reader(request.user):
        return ""
    return render_to_string(
        "reporting/partials/_draft_notice.html",
        {"drafts": _newer_drafts(year), "correction": year if not year.is_locked else None},
    )


def _picker(request: HttpRequest, year: FiscalYear) -> str:
    return render_to_string(
        "reporting/partials/year_picker.html",
        {"years": _years_offered(request), "chosen": year.label},
    )


def _newer_drafts(year: FiscalYear) -> list[str]:
    return list(
        FiscalYear.objects.open()
        .exclude(releases__isnull=False)
        .filter(start_year__gt=year.start_year)
        .order_by("-start_year")
        .values_list("label", flat=True)
    )


def _draft_page(request: HttpRequest, year: FiscalYear) -> HttpResponse:
    """A year read from its records, marked as a draft; staff see its findings."""
    staff = can_see_findings(request.user)
    annual = build_summary(year)
    annual.is_locked = False
    findings = staff_findings(year.label, request.user) if staff else None
    return render(
        request,
        "reporting/summary.html",
        {
            "fiscal_year": year.label,
            "summary": annual,
            "page": SummaryPage.from_summary(annual, findings=findings),
            "releases": release_history(year),
            "draft_of_release": year.release_number,
            "notices": _notices(request, year) if year.release_number is None else "",
            "picker": _picker(request, year),
        },
    )


@require_safe
@readable_year
def download_csv(request: HttpRequest, year: FiscalYear) -> HttpResponse:
    """Every figure of the years the page shows, in the long form, one row per
    figure, escaped, with its public note and never the internal one: for a
    published year, as its newest release has them."""
    if year.release_number is not None:
        content = export_release(
            release_or_404(year, year.release_number), "csv", with_prior_years=True
        )
    else:
        readable = set(readable_years(request.user).values_list("label", flat=True))
        labels = [label for label in years_shown(year.label) if label in readable]
        figures = Figure.objects.filter(period__fiscal_year__label__in=labels)
        content = export_long(figures, "csv", internal_notes=False)
    response = HttpResponse(content, content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = content_disposition_header(
        True, f"alert-figures-{year.label}.csv"
    )
    return response


@require_safe
@readable_year
def download_xlsx(request: HttpRequest, year: FiscalYear) -> HttpResponse:
    """The report-layout workbook: the published tables, one sheet per unit
    (a published year's from its newest release)."""
    if year.release_number is not None:
        content = export_report_workbook(
            year, summary=summary_of(release_or_404(year, year.release_number))
        )
    else:
        content = export_report_workbook(year)
    response = HttpResponse(content, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = content_disposition_header(
        True, f"alert-report-{year.label}.xlsx"
    )
    return response


@require_safe
@readable_year
def print_running_header(
    request: HttpRequest, year: FiscalYear, draft: bool = False
) -> HttpResponse:
    """The summary's print stylesheet of page margins: the year and Draft or
    Published (with the release) at the top of every printed page, the page
    number at the foot."""
    return render(
        request,
        "reporting/print_running_header.css",
        {"fiscal_year": year, "release_number": None if draft else year.release_number},
        content_type="text/css; charset=utf-8",
    )


@require_safe
@readable_year
def download_release(request: HttpRequest, year: FiscalYear, number: int) -> HttpResponse:
    """A release's figures exactly as they were published (release 1: as first published)."""
    release = release_or_404(year, number)
    response = HttpResponse(export_release(release, "csv"), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = content_disposition_header(
        True, f"alert-figures-{year.label}-release-{number}.csv"
    )
    return response


@require_safe
@readable_year
def download_release_content(request: HttpRequest, year: FiscalYear, number: int) -> HttpResponse:
    """A release's content, the canonical JSON its SHA-256 is the digest of."""
    release = release_or_404(year, number)
    response = HttpResponse(release.content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"alert-release-{year.label}-{number}.json"
    )
    return response


@require_safe
@readable_year
def download_release_digest(request: HttpRequest, year: FiscalYear, number: int) -> HttpResponse:
    """The whole SHA-256 of a release, as ``sha256sum`` writes it beside its JSON."""
    release = release_or_404(year, number)
    text = f"{release.sha256}  alert-release-{year.label}-{number}.json\n"
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"alert-release-{year.label}-{number}.json.sha256"
    )
    return response
