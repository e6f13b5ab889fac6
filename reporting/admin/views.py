"""The figures' own admin pages: the entry grid (pick, then enter), the
findings and the report workbook; and the reporting cycle's board.

Plain views that fetch, authorise, call and render; ``FigureAdmin.get_urls``
wires them under the figures' admin URLs (``admin:reporting_figure_grid_pick``,
``admin:reporting_figure_grid``, ``admin:reporting_findings``,
``admin:reporting_figure_report_workbook``); ``FiscalYearAdmin.get_urls`` wires
the publication pages (``admin:reporting_fiscalyear_publish``,
``admin:reporting_fiscalyear_correct``); ``UnitQuarterAdmin`` wires the
board as its list (``admin:reporting_unitquarter_changelist``) and its steps
(``admin:reporting_unitquarter_transition``). Each takes its ``ModelAdmin``
first, for the admin's context, permissions and messages.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import ngettext

from reporting import grid as entry_grid
from reporting import services
from reporting.access import write_refusal
from reporting.admin.forms import CorrectionForm, OpenYearForm, PublishForm, TransitionForm
from reporting.cycle import build_board
from reporting.exporting import export_report_workbook
from reporting.exporting.blank import long_form_template
from reporting.findings import findings_for
from reporting.models import FiscalYear, QuarterFrozen, ReportingPeriod, StaleFigure
from reporting.publication import review_year
from tabular.writers import CONTENT_TYPES
from units.models import Unit, assigned_unit_ids

# The templates a person can download: (what the page calls it, file extension).
TEMPLATE_LAYOUTS = {
    "long-xlsx": ("Long form, Excel workbook (.xlsx)", "xlsx"),
    "long-csv": ("Long form, CSV (.csv)", "csv"),
    "report": ("Report workbook (.xlsx), laid out like the published tables", "xlsx"),
}


def _ensure_may_enter(model_admin, request) -> None:
    if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
        raise PermissionDenied


def _context(model_admin, request, title: str, **context) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        **context,
    }


def grid_pick(model_admin, request):
    """Choose a unit and a year; with both chosen, go to their grid."""
    _ensure_may_enter(model_admin, request)
    units = Unit.objects.editable_by(request.user).active()
    years = FiscalYear.objects.writable_by(request.user)
    unit_id, year_id = request.GET.get("unit"), request.GET.get("fiscal_year")
    if unit_id and year_id and unit_id.isdigit() and year_id.isdigit():
        unit = get_object_or_404(units, pk=unit_id)
        fiscal_year = get_object_or_404(FiscalYear, pk=year_id)
        return redirect("admin:reporting_figure_grid", unit.pk, fiscal_year.pk)
    context = _context(
        model_admin,
        request,
        "Enter figures",
        units=units,
        years=years,
        chosen_year=year_id,
        chosen_unit=unit_id,
        **template_context(request),
    )
    return TemplateResponse(request, "admin/reporting/grid_pick.html", context)


def grid(model_admin, request, unit_id: int, fiscal_year_id: int):
    """One unit's figures for one year on one screen, saved all or nothing."""
    _ensure_may_enter(model_admin, request)
    unit = get_object_or_404(Unit, pk=unit_id)
    fiscal_year = get_object_or_404(
        FiscalYear.objects.select_related("locked_by"), pk=fiscal_year_id
    )
    if write_refusal(request.user, unit=unit):
        raise PermissionDenied(f"You are not assigned to {unit.code}.")
    grid = entry_grid.build_grid(unit, fiscal_year)
    # A locked year's grid is shown read-only, with the reason.
    year_refusal = write_refusal(request.user, fiscal_year=fiscal_year)
    if request.method == "POST":
        if year_refusal:
            model_admin.message_user(
                request, f"Nothing saved. {year_refusal.messages[0]}", messages.ERROR
            )
        elif grid.bind(request.POST):
            try:
                counts = entry_grid.save_grid(grid, user=request.user)
            except StaleFigure:
                conflicts = grid.conflicts
                for cell in conflicts:
                    # Shown now with both values: saving again is a decision.
                    cell.seen_version = cell.version
                model_admin.message_user(
                    request,
                    ngettext(
                        "Nothing saved: %(count)d of the figures you changed was changed by "
                        "someone else since you opened the grid (listed below).",
                        "Nothing saved: %(count)d of the figures you changed were changed by "
                        "someone else since you opened the grid (listed below).",
                        len(conflicts),
                    )
                    % {"count": len(conflicts)},
                    messages.ERROR,
                )
            except QuarterFrozen as refusal:
                model_admin.message_user(
                    request, f"Nothing saved. {refusal.messages[0]}", messages.ERROR
                )
            else:
                model_admin.message_user(request, *_saved_message(unit, fiscal_year, counts))
                return redirect(request.path)
        else:
            wrong = len(grid.errors)
            model_admin.message_user(
                request,
                ngettext(
                    "Nothing saved: %(count)d cell needs correcting (marked below).",
                    "Nothing saved: %(count)d cells need correcting (marked below).",
                    wrong,
                )
                % {"count": wrong},
                messages.ERROR,
            )
    elif year_refusal:
        model_admin.message_user(request, year_refusal.messages[0], messages.WARNING)
    frozen_periods = entry_grid.frozen_periods(grid, user=request.user)
    if request.method == "GET":
        # One line per frozen quarter (the full year follows Q4: not said twice).
        for period, why in frozen_periods.items():
            if period != ReportingPeriod.Period.FY:
                model_admin.message_user(request, f"Read-only: {why}", messages.WARNING)
    shown_period = request.POST.get("shown") or grid.first_open_period
    autofocus = ""
    if request.method == "GET" and year_refusal is None:
        entry_grid.fill_years_from_quarters(grid, readonly=frozen_periods)
        if shown_period not in frozen_periods:
            autofocus = grid.first_empty_cell(shown_period)
    context = _context(
        model_admin,
        request,
        f"Enter figures: {unit.code} {fiscal_year.label}",
        grid=grid,
        columns=entry_grid.COLUMNS,
        locked=year_refusal is not None,
        frozen_periods=frozen_periods,
        shown_period=shown_period,
        autofocus=autofocus,
        units=Unit.objects.editable_by(request.user).active(),
        # The years this person may enter, and the one shown (a locked year
        # opened from a link is read-only but stays chosen).
        years=FiscalYear.objects.filter(
            Q(pk=fiscal_year.pk) | Q(pk__in=FiscalYear.objects.writable_by(request.user))
        ),
    )
    return TemplateResponse(request, "admin/reporting/grid.html", context)


def _saved_message(unit: Unit, fiscal_year: FiscalYear, counts: dict[str, int]) -> tuple[str, str]:
    """ "Saved …" only when something was: 1 figure recorded, 2 cleared."""
    recorded, deleted = counts["recorded"], counts["deleted"]
    if not recorded and not deleted:
        return (
            f"Nothing to save in {unit.code} {fiscal_year.label}: no figure changed.",
            messages.INFO,
        )
    parts = []
    if recorded:
        parts.append(
            ngettext("%(count)d figure recorded", "%(count)d figures recorded", recorded)
            % {"count": recorded}
        )
    if deleted:
        parts.append(
            ngettext(
                "%(count)d cleared (not reported)", "%(count)d cleared (not reported)", deleted
            )
            % {"count": deleted}
        )
    return f"Saved {unit.code} {fiscal_year.label}: {', '.join(parts)}.", messages.SUCCESS


def open_next_year(model_admin, request):
    """POST: open the next fiscal year (the panel of the admin home and the grid picker)."""
    form = OpenYearForm(request.POST)
    form.is_valid()  # both fields optional: the service says what is wrong with the label
    step = form.cleaned_data
    try:
        fiscal_year = services.open_fiscal_year(label=step.get("label", ""), user=request.user)
    except ValidationError as exc:
        model_admin.message_user(request, exc.messages[0], messages.ERROR)
    else:
        model_admin.message_user(
            request,
            format_html(
                "Fiscal year {} is open: its four quarters and full year are ready. "
                '<a href="{}?fiscal_year={}">Enter its figures</a>.',
                fiscal_year.label,
                reverse("admin:reporting_figure_grid_pick"),
                fiscal_year.pk,
            ),
            messages.SUCCESS,
        )
    back = step.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("admin:index")
    return redirect(back)


def findings(model_admin, request):
    """The data-quality findings of a year (?fiscal_year=<pk>, the newest by default)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    years = list(FiscalYear.objects.all())
    if not years:
        fiscal_year = None
    else:
        chosen = request.GET.get("fiscal_year", "")
        fiscal_year = next((fy for fy in years if str(fy.pk) == chosen), years[0])
    context = _context(
        model_admin,
        request,
        f"Data-quality findings {fiscal_year.label}" if fiscal_year else "Data-quality findings",
        years=years,
        fiscal_year=fiscal_year,
        findings=findings_for(request.user, fiscal_year) if fiscal_year else [],
    )
    return TemplateResponse(request, "admin/reporting/findings.html", context)


def report_workbook(model_admin, request):
    """The report-layout workbook of a year (?fiscal_year=2023-24), or the list of years."""
    if not model_admin.has_export_permission(request):
        raise PermissionDenied
    label = request.GET.get("fiscal_year")
    if label:
        fiscal_year = get_object_or_404(FiscalYear, label=label)
        response = HttpResponse(
            export_report_workbook(fiscal_year), content_type=CONTENT_TYPES["xlsx"]
        )
        response["Content-Disposition"] = content_disposition_header(
            True, f"ALERT results {fiscal_year.label}.xlsx"
        )
        return response
    context = _context(
        model_admin,
        request,
        "Report workbook",
        years=FiscalYear.objects.order_by("-start_year"),
    )
    return TemplateResponse(request, "admin/reporting/report_workbook.html", context)


def template_context(request) -> dict:
    """What the "Download a template" form needs: the years this person may
    enter (newest first, the newest open year chosen), the layouts, and whose
    units the template holds."""
    years = list(FiscalYear.objects.writable_by(request.user).order_by("-start_year"))
    chosen = next((fy for fy in years if not fy.is_locked), years[0] if years else None)
    units = list(Unit.objects.editable_by(request.user).active())
    return {
        "template_years": years,
        "template_year": chosen,
        "template_layouts": [(key, name) for key, (name, _) in TEMPLATE_LAYOUTS.items()],
        "template_units": units,
        "template_all_units": assigned_unit_ids(request.user) is None,
    }


def figure_template(model_admin, request):
    """A template to fill in, for the units of the person asking:
    ``?fiscal_year=2024-25&layout=long-xlsx`` (or ``long-csv``, ``report``)."""
    _ensure_may_enter(model_admin, request)
    fiscal_year = get_object_or_404(FiscalYear, label=request.GET.get("fiscal_year", ""))
    layout = request.GET.get("layout", "long-xlsx")
    if layout not in TEMPLATE_LAYOUTS:
        return HttpResponseBadRequest(
            f"There is no template “{layout}”: choose one of {', '.join(TEMPLATE_LAYOUTS)}."
        )
    units = list(Unit.objects.editable_by(request.user).active())
    if not units:
        raise PermissionDenied("You are assigned to no active unit: there is nothing to fill in.")
    extension = TEMPLATE_LAYOUTS[layout][1]
    if layout == "report":
        content = export_report_workbook(fiscal_year, units=units, every_region=True)
    else:
        content = long_form_template(fiscal_year, units, extension)
    whose = (
        "all units" if assigned_unit_ids(request.user) is None else " ".join(u.code for u in units)
    )
    kind = "report workbook" if layout == "report" else "long form"
    response = HttpResponse(content, content_type=CONTENT_TYPES[extension])
    response["Content-Disposition"] = content_disposition_header(
        True, f"ALERT {kind} template {fiscal_year.label} {whose}.{extension}"
    )
    return response


def _ensure_may_publish(model_admin, request) -> None:
    if not model_admin.has_lock_permission(request):
        raise PermissionDenied(
            "Only administrators may publish a fiscal year or prepare its correction."
        )


def publish_review(model_admin, request, fiscal_year_id: int):
    """Review a draft year (its findings, what changed since the last release),
    acknowledge its errors, then publish it."""
    _ensure_may_publish(model_admin, request)
    fiscal_year = get_object_or_404(FiscalYear, pk=fiscal_year_id)
    change_url = reverse("admin:reporting_fiscalyear_change", args=[fiscal_year.pk])
    if fiscal_year.is_locked:
        model_admin.message_user(request, f"{fiscal_year.label} is already published.")
        return redirect(change_url)
    review = review_year(fiscal_year)
    form = PublishForm(request.POST if request.method == "POST" else None, review=review)
    problems: list[str] = []
    if request.method == "POST":
        if not form.is_valid():
            problems.extend(message for errors in form.errors.values() for message in errors)
        else:
            try:
                release = services.publish_year(
                    fiscal_year=fiscal_year,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    acknowledgements=form.acknowledgements(),
                    public_notes=form.public_notes(),
                    incomplete_reason=form.cleaned_data["incomplete_reason"],
                )
            except ValidationError as exc:
                problems.extend(exc.messages)
            else:
                model_admin.message_user(
                    request,
                    f"Published {fiscal_year.label} (release {release.number}).",
                    messages.SUCCESS,
                )
                return redirect(change_url)
    written = {item.key: form.data.get(f"ack-{item.key}", "") for item in review.errors}
    context = _context(
        model_admin,
        request,
        f"Publish {fiscal_year.label}",
        fiscal_year=fiscal_year,
        review=review,
        errors=[
            (item, written[item.key], form.data.get(f"public-{item.key}", ""))
            for item in review.errors
        ],
        reason=form.data.get("reason", ""),
        incomplete_reason=form.data.get("incomplete_reason", ""),
        problems=problems,
        change_url=change_url,
    )
    return TemplateResponse(request, "admin/reporting/publish_review.html", context)


def prepare_correction(model_admin, request, fiscal_year_id: int):
    """Open a published year for a correction, with the reason; readers keep
    its newest release until it is republished."""
    _ensure_may_publish(model_admin, request)
    fiscal_year = get_object_or_404(FiscalYear, pk=fiscal_year_id)
    change_url = reverse("admin:reporting_fiscalyear_change", args=[fiscal_year.pk])
    if not fiscal_year.is_locked:
        model_admin.message_user(request, f"{fiscal_year.label} is open: nothing to prepare.")
        return redirect(change_url)
    form = CorrectionForm(request.POST if request.method == "POST" else None)
    problems: list[str] = []
    if form.is_valid():
        try:
            services.prepare_correction(
                fiscal_year=fiscal_year, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            problems.extend(exc.messages)
        else:
            model_admin.message_user(
                request,
                f"A correction of {fiscal_year.label} is being prepared: its records are open; "
                "readers keep the published release until you publish it again.",
                messages.SUCCESS,
            )
            return redirect(change_url)
    context = _context(
        model_admin,
        request,
        f"Prepare a correction of {fiscal_year.label}",
        fiscal_year=fiscal_year,
        reason=form.data.get("reason", ""),
        problems=problems,
        change_url=change_url,
    )
    return TemplateResponse(request, "admin/reporting/prepare_correction.html", context)


def cycle_board(model_admin, request):
    """The quarterly reporting cycle: each open year's units by quarters, with
    the steps this user may take (clerks see their units, administrators all)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    context = _context(
        model_admin,
        request,
        "Reporting cycle",
        boards=build_board(request.user),
        quarters=ReportingPeriod.QUARTERS,
    )
    return TemplateResponse(request, "admin/reporting/cycle_board.html", context)


def cycle_transition(model_admin, request):
    """One step of a unit-quarter (POST from the board), then back to the board."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Unknown step of the reporting cycle.")
    step = form.cleaned_data
    unit, fiscal_year, quarter = step["unit"], step["fiscal_year"], step["quarter"]
    try:
        record = services.move_quarter(
            action=step["action"],
            unit=unit,
            fiscal_year=fiscal_year,
            quarter=quarter,
            user=request.user,
            text=step["text"],
        )
    except PermissionDenied:
        raise
    except ValidationError as refusal:
        model_admin.message_user(
            request,
            f"Nothing changed for {unit.code} {fiscal_year.label} {quarter}. "
            + " ".join(refusal.messages),
            messages.ERROR,
        )
    else:
        model_admin.message_user(
            request, f"{record}: {record.get_state_display().lower()}.", messages.SUCCESS
        )
    return redirect("admin:reporting_unitquarter_changelist")
