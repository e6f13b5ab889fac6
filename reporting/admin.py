from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_GET
from simple_history.admin import SimpleHistoryAdmin

from reporting import grid as entry_grid
from reporting import services
from reporting.admin_import import (
    FigureImportExport,
    FiscalYearImportExport,
    ImportBatchAdminMixin,
)
from reporting.admin_mixins import ReadOnlyAdminMixin
from reporting.findings import year_findings
from reporting.formatting import figure_label, format_figure
from reporting.models import (
    Figure,
    FiscalYear,
    ImportBatch,
    ReportingPeriod,
    period_position,
    report_order,
)
from reporting.validation import validate_for_metric
from units.models import Metric, Unit, assigned_unit_ids


def may_write(user, figure: Figure) -> bool:
    """Whether ``user`` may change this figure: its year and unit allow it."""
    fiscal_year = figure.period.fiscal_year
    locked_for_user = fiscal_year.is_locked and not user.has_perm("reporting.change_locked_year")
    return not locked_for_user and figure.metric.unit.is_editable_by(user)


@admin.register(FiscalYear)
class FiscalYearAdmin(FiscalYearImportExport, SimpleHistoryAdmin):
    list_display = ["label", "status", "locked_at", "locked_by", "entry_grids"]
    list_filter = ["status"]
    list_select_related = ["locked_by"]
    search_fields = ["label"]
    ordering = ["-start_year"]
    readonly_fields = ["status", "locked_at", "locked_by", "entry_grids"]
    actions = ["lock_years", "unlock_years"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        ReportingPeriod.objects.ensure_for([obj])

    def has_lock_permission(self, request) -> bool:
        return request.user.has_perm("reporting.lock_fiscalyear")

    @admin.display(description="entry grid")
    def entry_grids(self, fiscal_year: FiscalYear) -> str:
        if not fiscal_year.pk:
            return "—"
        return format_html(
            '<a href="{}?fiscal_year={}">Enter figures</a>',
            reverse("admin:reporting_figure_grid_pick"),
            fiscal_year.pk,
        )

    def _set_status(self, request, queryset, *, locked: bool) -> None:
        changed = [
            fy.label
            for fy in queryset
            if services.set_year_status(fiscal_year=fy, locked=locked, user=request.user)
        ]
        verb = "Locked (published)" if locked else "Unlocked"
        if changed:
            self.message_user(request, f"{verb}: {', '.join(changed)}.", messages.SUCCESS)
        else:
            self.message_user(request, "Nothing to do: the years already had that status.")

    @admin.action(description="Lock (publish) the selected years", permissions=["lock"])
    def lock_years(self, request, queryset):
        self._set_status(request, queryset, locked=True)

    @admin.action(description="Unlock the selected years", permissions=["lock"])
    def unlock_years(self, request, queryset):
        self._set_status(request, queryset, locked=False)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "fiscal_year", "period"]
    list_filter = ["fiscal_year", "period"]
    list_select_related = ["fiscal_year"]
    search_fields = ["fiscal_year__label", "period"]
    ordering = ["-fiscal_year__start_year", "period"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ImportBatchAdminMixin, admin.ModelAdmin):
    list_select_related = ["user"]
    search_fields = ["file_name", "checksum", "user__username"]
    date_hierarchy = "created_at"


class HasNoteFilter(admin.SimpleListFilter):
    title = "note"
    parameter_name = "has_note"

    def lookups(self, request, model_admin):
        return [("yes", "With a note"), ("no", "Without a note")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(note="")
        if self.value() == "no":
            return queryset.filter(note="")
        return queryset


class FigureForm(forms.ModelForm):
    """The figure as a person types it (``1,234``, ``$1,234``), checked by parse_value."""

    value = forms.CharField(
        help_text="A whole number for counts, dollars (to the cent) for amounts, "
        "e.g. 1,234 or $1,234,567. To record “not reported”, delete the figure."
    )

    class Meta:
        model = Figure
        fields = ["metric", "period", "region", "value", "note"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            self.initial["value"] = format_figure(
                self.instance.value, self.instance.metric.value_type
            )

    def clean(self):
        data = super().clean()
        metric = data.get("metric") or (self.instance.metric if self.instance.pk else None)
        period = data.get("period") or (self.instance.period if self.instance.pk else None)
        if metric is not None and "value" in data:
            try:
                data["value"] = validate_for_metric(data["value"], metric)
            except ValidationError as exc:
                self.add_error("value", exc)
        try:
            if period is not None:
                period.fiscal_year.ensure_writable_by(self.user)
            if metric is not None:
                metric.unit.ensure_editable_by(self.user)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return data


@admin.register(Figure)
class FigureAdmin(FigureImportExport, SimpleHistoryAdmin):
    form = FigureForm
    list_display = [
        "unit_code",
        "metric_label",
        "fiscal_year",
        "period_code",
        "region_name",
        "formatted_value",
        "short_note",
        "updated_by",
    ]
    list_display_links = ["metric_label"]
    list_filter = [
        "metric__unit",
        "period__fiscal_year",
        "period__period",
        "region",
        "metric__value_type",
        HasNoteFilter,
    ]
    list_select_related = ["metric__unit", "period__fiscal_year", "region", "updated_by"]
    search_fields = ["metric__label", "metric__code", "metric__unit__code", "region__name"]
    autocomplete_fields = ["metric", "period", "region"]
    list_per_page = 100
    list_max_show_all = 1000
    actions = ["delete_figures"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)

        class RequestForm(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, user=request.user, **kw)

        return RequestForm

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_ordering(self, request):
        return report_order()

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            # Read-only: the figure as people read it ($1,234, not 1234.00).
            return ["formatted_value" if name == "value" else name for name in fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            # A figure's key stays put: to move a figure, delete it and add another.
            return ["metric", "period", "region", "import_batch", "updated_at", "updated_by"]
        return []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "metric":
            kwargs["queryset"] = Metric.objects.filter(
                unit__in=Unit.objects.editable_by(request.user)
            ).select_related("unit")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_write(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_write(request.user, obj))

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        figure = self.get_object(request, unquote(object_id))
        if figure is not None and request.method == "GET":
            fiscal_year = figure.period.fiscal_year
            if fiscal_year.is_locked and not request.user.has_perm("reporting.change_locked_year"):
                self.message_user(request, fiscal_year.locked_message(), messages.WARNING)
            elif not figure.metric.unit.is_editable_by(request.user):
                self.message_user(
                    request,
                    f"You are not assigned to {figure.metric.unit.code}: this figure is read-only.",
                    messages.WARNING,
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        figure = services.record_figure(
            metric=obj.metric,
            period=obj.period,
            region=obj.region,
            value=obj.value,
            note=obj.note,
            user=request.user,
            source="admin",
        )
        obj.pk = figure.pk

    def delete_model(self, request, obj):
        services.delete_figure(figure=obj, user=request.user, source="admin")

    def delete_queryset(self, request, queryset):
        services.delete_figures(figures=queryset, user=request.user, source="admin: bulk delete")

    @admin.action(description="Delete selected figures (not reported)", permissions=["delete"])
    def delete_figures(self, request, queryset):
        refused = {
            f.period.fiscal_year.locked_message()
            for f in queryset.select_related("period__fiscal_year__locked_by")
            if f.period.fiscal_year.is_locked
            and not request.user.has_perm("reporting.change_locked_year")
        }
        if refused:
            for message in sorted(refused):
                self.message_user(request, f"Nothing deleted. {message}", messages.ERROR)
            return None
        # Django's confirmation page; its "Yes" calls delete_queryset above.
        return delete_selected(self, request, queryset)

    @admin.display(description="unit", ordering="metric__unit__display_order")
    def unit_code(self, figure: Figure) -> str:
        return figure.metric.unit.code

    @admin.display(description="metric", ordering="metric__display_order")
    def metric_label(self, figure: Figure) -> str:
        return figure.metric.label

    @admin.display(description="fiscal year", ordering="period__fiscal_year__start_year")
    def fiscal_year(self, figure: Figure) -> str:
        return figure.period.fiscal_year.label

    @admin.display(description="period", ordering=period_position("period__period"))
    def period_code(self, figure: Figure) -> str:
        return figure.period.period

    @admin.display(description="value", ordering="value")
    def formatted_value(self, figure: Figure) -> str:
        return format_html('<span class="figure">{}</span>', figure.display_value())

    @admin.display(description="region", ordering="region__display_order")
    def region_name(self, figure: Figure) -> str:
        if figure.region_id is None:
            return mark_safe('<span class="quiet">unit-wide</span>')  # fixed text, no data
        return figure.region.name

    @admin.display(description="note")
    def short_note(self, figure: Figure) -> str:
        return Truncator(figure.note).chars(40) if figure.note else ""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The revert page is an editing form; simple-history checks only view
        # permission (and would save a posted revert): readers get the history list.
        if not self.has_change_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    # The entry grid and the findings page live beside the figures.

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("grid/", view(self.grid_pick_view), name="reporting_figure_grid_pick"),
            path(
                "grid/<int:unit_id>/<int:fiscal_year_id>/",
                view(self.grid_view),
                name="reporting_figure_grid",
            ),
            path("findings/", view(require_GET(self.findings_view)), name="reporting_findings"),
            *super().get_urls(),
        ]

    def _may_enter(self, request) -> bool:
        return self.has_add_permission(request) or self.has_change_permission(request)

    def grid_pick_view(self, request):
        if not self._may_enter(request):
            raise PermissionDenied
        units = Unit.objects.editable_by(request.user).active()
        years = FiscalYear.objects.all()
        unit_id, year_id = request.GET.get("unit"), request.GET.get("fiscal_year")
        if unit_id and year_id and unit_id.isdigit() and year_id.isdigit():
            unit = get_object_or_404(units, pk=unit_id)
            fiscal_year = get_object_or_404(years, pk=year_id)
            return redirect("admin:reporting_figure_grid", unit.pk, fiscal_year.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Enter figures",
            "units": units,
            "years": years,
            "chosen_year": year_id,
            "chosen_unit": unit_id,
        }
        return TemplateResponse(request, "admin/reporting/grid_pick.html", context)

    def grid_view(self, request, unit_id: int, fiscal_year_id: int):
        if not self._may_enter(request):
            raise PermissionDenied
        unit = get_object_or_404(Unit, pk=unit_id)
        fiscal_year = get_object_or_404(
            FiscalYear.objects.select_related("locked_by"), pk=fiscal_year_id
        )
        if not unit.is_editable_by(request.user):
            raise PermissionDenied(f"You are not assigned to {unit.code}.")
        grid = entry_grid.build_grid(unit, fiscal_year)
        locked = fiscal_year.is_locked and not request.user.has_perm("reporting.change_locked_year")
        if request.method == "POST":
            if locked:
                self.message_user(
                    request, f"Nothing saved. {fiscal_year.locked_message()}", messages.ERROR
                )
            elif grid.bind(request.POST):
                counts = entry_grid.save_grid(grid, user=request.user)
                self.message_user(
                    request,
                    f"Saved {unit.code} {fiscal_year.label}: {counts['recorded']} figures "
                    f"recorded, {counts['deleted']} cleared (not reported).",
                    messages.SUCCESS,
                )
                return redirect(request.path)
            else:
                self.message_user(
                    request,
                    f"Nothing saved: {len(grid.errors)} cells need correcting (marked below).",
                    messages.ERROR,
                )
        elif locked:
            self.message_user(request, fiscal_year.locked_message(), messages.WARNING)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Enter figures: {unit.code} {fiscal_year.label}",
            "grid": grid,
            "columns": entry_grid.COLUMNS,
            "locked": locked,
            "units": Unit.objects.editable_by(request.user).active(),
            "years": FiscalYear.objects.all(),
        }
        return TemplateResponse(request, "admin/reporting/grid.html", context)

    def findings_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        years = list(FiscalYear.objects.all())
        if not years:
            fiscal_year = None
        else:
            chosen = request.GET.get("fiscal_year", "")
            fiscal_year = next((fy for fy in years if str(fy.pk) == chosen), years[0])
        findings = year_findings(fiscal_year) if fiscal_year else []
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Data-quality findings {fiscal_year.label}"
            if fiscal_year
            else "Data-quality findings",
            "years": years,
            "fiscal_year": fiscal_year,
            "findings": findings,
        }
        return TemplateResponse(request, "admin/reporting/findings.html", context)


HistoricalFigure = Figure.history.model


class ChangeTypeFilter(admin.SimpleListFilter):
    title = "type of change"
    parameter_name = "change"

    def lookups(self, request, model_admin):
        return [("+", "Created"), ("~", "Changed"), ("-", "Deleted")]

    def queryset(self, request, queryset):
        return queryset.filter(history_type=self.value()) if self.value() else queryset


@admin.register(HistoricalFigure)
class FigureHistoryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every change to every figure, read-only: who, when, from what to what, and why."""

    list_display = [
        "when",
        "who",
        "change_type",
        "figure",
        "old_value",
        "new_value",
        "source",
    ]
    list_filter = [
        ChangeTypeFilter,
        ("history_user", admin.RelatedOnlyFieldListFilter),
        "metric__unit",
        "period__fiscal_year",
        "history_date",
    ]
    list_select_related = [
        "history_user",
        "metric__unit",
        "period__fiscal_year",
        "region",
        "import_batch",
    ]
    search_fields = ["metric__label", "metric__unit__code", "history_change_reason"]
    date_hierarchy = "history_date"
    ordering = ["-history_date", "-history_id"]
    list_per_page = 100
    list_max_show_all = 1000

    def get_queryset(self, request):
        previous = HistoricalFigure.objects.filter(
            id=OuterRef("id"), history_id__lt=OuterRef("history_id")
        ).order_by("-history_id")
        queryset = (
            super()
            .get_queryset(request)
            .annotate(previous_value=Subquery(previous.values("value")[:1]))
        )
        ids = assigned_unit_ids(request.user)
        return queryset if ids is None else queryset.filter(metric__unit_id__in=ids)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": "Change history of all figures", **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("reporting.view_figure")

    @admin.display(description="when", ordering="history_date")
    def when(self, record):
        return record.history_date

    @admin.display(description="who", ordering="history_user__username")
    def who(self, record) -> str:
        return record.history_user.get_username() if record.history_user else "system"

    @admin.display(description="source / reason")
    def source(self, record) -> str:
        return record.history_change_reason or "—"

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    @admin.display(description="change", ordering="history_type")
    def change_type(self, record) -> str:
        return {"+": "created", "~": "changed", "-": "deleted"}[record.history_type]

    @admin.display(description="figure")
    def figure(self, record) -> str:
        label = figure_label(record)
        if record.history_type == "-":
            return label
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:reporting_figure_history", args=[record.id]),
            label,
        )

    @admin.display(description="old value")
    def old_value(self, record) -> str:
        if record.history_type == "+":
            return "—"
        return format_figure(record.previous_value, record.metric.value_type)

    @admin.display(description="new value", ordering="value")
    def new_value(self, record) -> str:
        if record.history_type == "-":
            return "— (deleted)"
        return format_figure(record.value, record.metric.value_type)
