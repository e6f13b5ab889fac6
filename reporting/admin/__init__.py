"""The reporting admin: fiscal years, periods, figures, their history and imports,
and each year's text (narrative blocks, published totals).

Registrations only, declarative: the figures' own pages are in ``views``,
their form in ``forms``, their import and export in ``import_export``. Who may
change a figure is ``reporting.access.write_refusal``'s answer, nowhere else.
"""

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_POST, require_safe
from simple_history.admin import SimpleHistoryAdmin

from alert.importexport import AlertImportExportMixin
from reporting import provenance, services
from reporting.access import write_refusal
from reporting.admin import people, views  # noqa: F401  (people registers the users' admin)
from reporting.admin.forms import FigureForm
from reporting.admin.import_export import FigureImportExport
from reporting.admin.list_filters import ChangeTypeFilter, HasNoteFilter, UnitFilter
from reporting.figure_context import figure_context
from reporting.formatting import figure_label, format_figure, format_moment, person_name
from reporting.models import (
    Figure,
    FiscalYear,
    ImportBatch,
    NarrativeBlock,
    PublicationEvent,
    PublishedTotal,
    Release,
    ReportingPeriod,
    UnitQuarter,
    period_position,
    report_order,
)
from reporting.resources import FiscalYearResource
from reporting.summary.build import NarrativeText
from units.models import Metric, Unit, assigned_unit_ids

HistoricalFigure = Figure.history.model
CHANGE_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


class ReadOnlyAdminMixin:
    """Records that are written by the system, never by hand: history, provenance."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UnitScopedAdminMixin:
    """Records of a unit, read only by those who see that unit: the list, the
    record's page and its history alike (the model's queryset's
    ``visible_to``). The history needs ``has_view_permission`` too:
    simple-history shows a record no longer on file from its history, past
    ``get_queryset``."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or self.is_visible(request, obj))

    def is_visible(self, request, obj) -> bool:
        return self.get_queryset(request).filter(pk=obj.pk).exists()


@admin.register(FiscalYear)
class FiscalYearAdmin(AlertImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [FiscalYearResource]
    list_display = ["label", "status", "locked_when", "locked_by", "entry_grids"]
    list_filter = ["status"]
    list_select_related = ["locked_by"]
    search_fields = ["label"]
    ordering = ["-start_year"]
    readonly_fields = ["status", "locked_when", "locked_by", "entry_grids"]
    actions = ["publish_year", "prepare_correction"]
    change_form_template = "admin/reporting/fiscalyear_change_form.html"

    @admin.display(description="locked at", ordering="locked_at")
    def locked_when(self, fiscal_year: FiscalYear) -> str:
        return format_moment(fiscal_year.locked_at) if fiscal_year.locked_at else "—"

    def save_model(self, request, obj, form, change):
        if change:
            services.change_fiscal_year(fiscal_year=obj, user=request.user)
        else:
            # A new year comes with its five periods, as on every other path.
            created = services.create_fiscal_year(label=obj.label, user=request.user)
            obj.pk, obj.start_year = created.pk, created.start_year

    def has_lock_permission(self, request) -> bool:
        return request.user.has_perm("reporting.lock_fiscalyear")

    def get_actions(self, request):
        # Years are deleted one at a time, on their own page, where a year
        # holding records is refused in plain words (never the admin's
        # protected-objects list).
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        fiscal_year = self.get_object(request, object_id)
        if fiscal_year is not None and (refusal := fiscal_year.deletion_refusal()):
            self.message_user(request, refusal, messages.ERROR)
            return redirect("admin:reporting_fiscalyear_change", fiscal_year.pk)
        return super().delete_view(request, object_id, extra_context)

    @admin.display(description="entry grid")
    def entry_grids(self, fiscal_year: FiscalYear) -> str:
        if not fiscal_year.pk:
            return "—"
        return format_html(
            '<a href="{}?fiscal_year={}">Enter figures</a>',
            reverse("admin:reporting_figure_grid_pick"),
            fiscal_year.pk,
        )

    def _one_year(self, request, queryset, url_name: str):
        # Publishing is reviewed year by year: the action opens that year's page.
        if queryset.count() != 1:
            self.message_user(request, "Choose one year at a time.", messages.WARNING)
            return None
        return redirect(f"admin:{url_name}", queryset.get().pk)

    @admin.action(description="Publish the selected year (review first)", permissions=["lock"])
    def publish_year(self, request, queryset):
        return self._one_year(request, queryset, "reporting_fiscalyear_publish")

    @admin.action(description="Prepare a correction of the selected year", permissions=["lock"])
    def prepare_correction(self, request, queryset):
        return self._one_year(request, queryset, "reporting_fiscalyear_correct")

    def get_urls(self):
        def wired(view):
            def page(request, *args, **kwargs):
                return view(self, request, *args, **kwargs)

            return self.admin_site.admin_view(page)

        def open_next(request):
            # PermissionDenied comes from the service, for anyone but administrators.
            return views.open_next_year(self, request)

        return [
            path(
                "open-next/",
                self.admin_site.admin_view(require_POST(open_next)),
                name="reporting_fiscalyear_open_next",
            ),
            path(
                "<int:fiscal_year_id>/publish/",
                wired(views.publish_review),
                name="reporting_fiscalyear_publish",
            ),
            path(
                "<int:fiscal_year_id>/correct/",
                wired(views.prepare_correction),
                name="reporting_fiscalyear_correct",
            ),
            *super().get_urls(),
        ]


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Each publication's figures as they were published; never changed."""

    list_display = ["fiscal_year", "number", "published_at", "published_by", "reason"]
    list_filter = ["fiscal_year"]
    list_select_related = ["fiscal_year", "published_by"]
    exclude = ["content"]


@admin.register(PublicationEvent)
class PublicationEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The publication log: who published which year or prepared its correction, when and why."""

    list_display = ["fiscal_year", "action", "at", "by", "reason", "release"]
    list_filter = ["fiscal_year", "action"]
    list_select_related = ["fiscal_year", "by", "release__fiscal_year"]


@admin.register(UnitQuarter)
class UnitQuarterAdmin(UnitScopedAdminMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """The reporting cycle: its list is the board (``views.cycle_board``); the
    records change only through the services' transitions, each kept in the
    history (``/history/`` of a record)."""

    list_display = ["__str__", "state", "submitted_by", "approved_by", "returned_by"]
    list_select_related = ["unit", "fiscal_year", "submitted_by", "approved_by", "returned_by"]

    def is_visible(self, request, unit_quarter) -> bool:
        # From the record itself: a deleted record's history has no row to look up.
        ids = assigned_unit_ids(request.user)
        return ids is None or unit_quarter.unit_id in ids

    def changelist_view(self, request, extra_context=None):
        return views.cycle_board(self, request)

    def get_urls(self):
        def wired(view):
            def page(request, *args, **kwargs):
                return view(self, request, *args, **kwargs)

            return self.admin_site.admin_view(require_POST(page))

        return [
            path(
                "transition/",
                wired(views.cycle_transition),
                name="reporting_unitquarter_transition",
            ),
            *super().get_urls(),
        ]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "fiscal_year", "period"]
    list_filter = ["fiscal_year", "period"]
    list_select_related = ["fiscal_year"]
    search_fields = ["fiscal_year__label", "period"]
    ordering = ["-fiscal_year__start_year", "period"]

    def has_module_permission(self, request) -> bool:
        # Technical: made with their year. Listed ("System") to administrators
        # only; the pages stay readable to everyone who may view them.
        return request.user.has_perm("reporting.change_reportingperiod")


@admin.register(ImportBatch)
class ImportBatchAdmin(UnitScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Provenance, read-only: which file, by whom, what it did, and the figures it wrote."""

    readonly_fields = [
        "file_name",
        "checksum",
        "file_format",
        "layout",
        "source",
        "user",
        "created",
        "status",
        "new",
        "updated",
        "unchanged",
        "skipped",
        "rejected",
        "figures_written",
    ]
    list_display = [
        "created",
        "file_name",
        "layout",
        "user",
        "source",
        "status",
        "new",
        "updated",
        "unchanged",
        "skipped",
        "rejected",
    ]
    list_filter = ["status", "source", "file_format", "layout"]

    list_select_related = ["user"]
    search_fields = ["file_name", "checksum", "user__username"]
    date_hierarchy = "created_at"

    @admin.display(description="created at", ordering="created_at")
    def created(self, batch: ImportBatch) -> str:
        return format_moment(batch.created_at)

    @admin.display(description="figures")
    def figures_written(self, batch: ImportBatch) -> str:
        return format_html(
            '<a href="{}?import_batch__id__exact={}">{} figure(s) last written by this import</a>',
            reverse("admin:reporting_figure_changelist"),
            batch.pk,
            batch.figures.count(),
        )


@admin.register(Figure)
class FigureAdmin(FigureImportExport, SimpleHistoryAdmin):
    """The figures; their entry grid, findings and report workbook are in ``views``."""

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
        ("metric__unit", UnitFilter),
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
            return ["metric", "period", "region", "import_batch", "last_changed", "updated_by"]
        return []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "metric":
            kwargs["queryset"] = Metric.objects.filter(
                unit__in=Unit.objects.editable_by(request.user)
            ).select_related("unit")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or write_refusal(request.user, obj) is None)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or write_refusal(request.user, obj) is None)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        figure = self.get_object(request, unquote(object_id))
        refusal = write_refusal(request.user, figure) if figure is not None else None
        if refusal and request.method == "GET":
            self.message_user(request, refusal.messages[0], messages.WARNING)
        if figure is not None:
            extra_context = {**figure_context(figure), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        figure = services.record_figure(
            metric=obj.metric,
            period=obj.period,
            region=obj.region,
            value=obj.value,
            note=obj.note,
            public_note=obj.public_note,
            user=request.user,
            source=provenance.FORM,
            # Checked already in the form's clean, whose lock on the year holds.
            expected_version=form.cleaned_data.get("seen_version") if change else None,
        )
        obj.pk = figure.pk

    def delete_model(self, request, obj):
        services.delete_figure(figure=obj, user=request.user, source=provenance.FORM)

    def delete_queryset(self, request, queryset):
        services.delete_figures(figures=queryset, user=request.user, source=provenance.BULK_DELETE)

    @admin.action(description="Delete selected figures (not reported)", permissions=["delete"])
    def delete_figures(self, request, queryset):
        figures = list(queryset.select_related("metric__unit", "period__fiscal_year__locked_by"))
        # The frozen (submitted, approved) quarters of every year selected, in one query, not one a figure.
        FiscalYear.prefetch_frozen_quarters(f.period.fiscal_year for f in figures)
        refused = {
            refusal.messages[0]
            for figure in figures
            if (refusal := write_refusal(request.user, figure))
        }
        if refused:
            for message in sorted(refused):
                self.message_user(request, f"Nothing deleted. {message}", messages.ERROR)
            return None
        # Django's confirmation page; its "Yes" calls delete_queryset above.
        return delete_selected(self, request, queryset)

    @admin.display(description="last changed")
    def last_changed(self, figure: Figure) -> str:
        return format_moment(figure.updated_at)

    # The figure's own history page: values as the report prints them, who
    # changed them and through what, times in ALERT's zone with the zone shown.
    object_history_template = "admin/reporting/figure_history.html"
    object_history_list_template = "admin/reporting/figure_history_list.html"
    history_list_display = ["when", "change", "value_change", "note_then", "who_and_through"]

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        previous = history_manager.filter(
            id=OuterRef("id"), history_id__lt=OuterRef("history_id")
        ).order_by("-history_id")
        return (
            super()
            .get_history_queryset(request, history_manager, pk_name, object_id)
            .select_related("history_user", "import_batch", "metric")
            .annotate(previous_value=Subquery(previous.values("value")[:1]))
        )

    def history_view(self, request, object_id, extra_context=None):
        # simple-history reads the figure past get_queryset: a clerk assigned
        # to units reads only their units' figures' history, as their list.
        self._ensure_history_visible(request, object_id)
        # Only those who may change figures are offered the revert form.
        extra_context = {"can_revert": self.has_change_permission(request), **(extra_context or {})}
        return super().history_view(request, object_id, extra_context)

    def set_history_delta_changes(self, request, page_obj, *args, **kwargs):
        """The value column says what changed; no query per record for a diff."""

    @admin.display(description="when")
    def when(self, record) -> str:
        return format_moment(record.history_date)

    @admin.display(description="change")
    def change(self, record) -> str:
        return CHANGE_TYPES[record.history_type]

    @admin.display(description="value")
    def value_change(self, record) -> str:
        value_type = record.metric.value_type
        new = format_figure(record.value, value_type)
        if record.history_type == "+":
            return new
        old = format_figure(record.previous_value, value_type)
        if record.history_type == "-":
            return f"{new} → — (deleted: not reported)"
        return f"{old} → {new}" if old != new else new

    @admin.display(description="note")
    def note_then(self, record) -> str:
        return record.note or "—"

    @admin.display(description="who, and through what")
    def who_and_through(self, record) -> str:
        return provenance.who_and_through(record)

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
        # permission (and would save a posted revert): only those who may
        # change this very figure (its unit theirs, its year open) get it.
        self._ensure_history_visible(request, object_id)
        figure = self.get_object(request, unquote(object_id))
        if figure is None or not self.has_change_permission(request, figure):
            raise PermissionDenied("You may not change this figure, so you cannot revert it.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _ensure_history_visible(self, request, object_id) -> None:
        ids = assigned_unit_ids(request.user)
        if ids is None or not str(unquote(object_id)).isdigit():
            return  # everything is theirs, or no such figure (simple-history's 404)
        unit_id = (
            HistoricalFigure.objects.filter(id=unquote(object_id))
            .values_list("metric__unit_id", flat=True)
            .first()
        )
        if unit_id is not None and unit_id not in ids:
            raise PermissionDenied("This figure belongs to a unit you are not assigned to.")

    def get_urls(self):
        def wired(view, decorator=None):
            # The page gets this admin first; the admin site checks the login.
            def page(request, *args, **kwargs):
                return view(self, request, *args, **kwargs)

            return self.admin_site.admin_view(decorator(page) if decorator else page)

        return [
            path("grid/", wired(views.grid_pick), name="reporting_figure_grid_pick"),
            path(
                "grid/<int:unit_id>/<int:fiscal_year_id>/",
                wired(views.grid),
                name="reporting_figure_grid",
            ),
            path("findings/", wired(views.findings, require_safe), name="reporting_findings"),
            path(
                "template/",
                wired(views.figure_template, require_safe),
                name="reporting_figure_template",
            ),
            path(
                "report-workbook/",
                wired(views.report_workbook, require_safe),
                name="reporting_figure_report_workbook",
            ),
            *super().get_urls(),
        ]


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
        "through",
    ]
    list_filter = [
        ChangeTypeFilter,
        ("history_user", admin.RelatedOnlyFieldListFilter),
        ("metric__unit", UnitFilter),
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
    def when(self, record) -> str:
        return format_moment(record.history_date)

    @admin.display(description="who", ordering="history_user__username")
    def who(self, record) -> str:
        return person_name(record.history_user)

    @admin.display(description="through")
    def through(self, record) -> str:
        return provenance.through(record)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    @admin.display(description="change", ordering="history_type")
    def change_type(self, record) -> str:
        return CHANGE_TYPES[record.history_type]

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


class YearTextAdmin(SimpleHistoryAdmin):
    """A year's text: locked with its year through the one write gate, saved
    through services.save_year_text (validated, with history)."""

    def _refusal(self, request, record):
        return services.year_text_refusal(record, request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self._refusal(request, obj) is None)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self._refusal(request, obj) is None)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        admin_view = self

        class GatedForm(form):
            def clean(self):
                cleaned = super().clean()
                if cleaned.get("fiscal_year") is not None:
                    self.instance.fiscal_year = cleaned["fiscal_year"]
                    if "unit" in cleaned:
                        self.instance.unit = cleaned["unit"]
                    if refusal := admin_view._refusal(request, self.instance):
                        raise ValidationError({"fiscal_year": refusal.messages[0]})
                return cleaned

        return GatedForm

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, unquote(object_id))
        refusal = self._refusal(request, record) if record is not None else None
        if refusal and request.method == "GET":
            self.message_user(request, refusal.messages[0], messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        services.save_year_text(record=obj, user=request.user)

    def delete_model(self, request, obj):
        services.delete_year_text(record=obj, user=request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, each through the gate
        return actions


@admin.register(NarrativeBlock)
class NarrativeBlockAdmin(YearTextAdmin):
    list_display = ["title_or_key", "fiscal_year", "unit", "kind", "placement", "display_order"]
    list_filter = ["fiscal_year", "unit", "kind"]
    list_select_related = ["fiscal_year", "unit"]
    search_fields = ["title", "key", "body"]
    readonly_fields = ["preview"]
    fieldsets = [
        (None, {"fields": ["fiscal_year", "unit", "key", "kind", "placement", "display_order"]}),
        ("Text", {"fields": ["title", "body", "pull_quotes", "link_text", "link_url"]}),
        (
            "Preview",
            {
                "fields": ["preview"],
                "description": "The block as the report prints it, from the saved text: "
                "press “Save and continue editing” to see a change.",
            },
        ),
    ]

    @admin.display(description="block", ordering="title")
    def title_or_key(self, block: NarrativeBlock) -> str:
        return block.title or block.key

    @admin.display(description="preview")
    def preview(self, block: NarrativeBlock) -> str:
        if block.pk is None:
            return "Save the block to see its preview."
        text = NarrativeText.from_block(
            block, block.fiscal_year.label, block.unit.code if block.unit_id else None
        )
        return render_to_string("reporting/partials/narrative_block.html", {"block": text})


@admin.register(PublishedTotal)
class PublishedTotalAdmin(YearTextAdmin):
    list_display = ["metric_code", "fiscal_year", "value", "note"]
    list_filter = ["fiscal_year"]
    list_select_related = ["fiscal_year"]
