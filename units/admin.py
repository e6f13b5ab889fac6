from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.urls import reverse
from django.utils.html import format_html

from alert.importexport import AlertImportExportMixin
from units.models import Metric, Region, Unit
from units.resources import MetricResource, RegionResource, UnitResource

User = get_user_model()


class MetricInline(admin.TabularInline):
    model = Metric
    fields = [
        "display_order",
        "code",
        "label",
        "value_type",
        "regional_label",
        "headline",
        "active",
    ]
    extra = 0
    show_change_link = True


@admin.register(Unit)
class UnitAdmin(AlertImportExportMixin, admin.ModelAdmin):
    resource_classes = [UnitResource]
    list_display = ["code", "name", "program", "team", "display_order", "active"]
    list_editable = ["display_order"]
    list_filter = ["active"]
    search_fields = ["code", "name", "program", "team"]
    ordering = ["display_order", "code"]
    filter_horizontal = ["data_entry_users"]
    readonly_fields = ["entry_grids"]
    inlines = [MetricInline]

    @admin.display(description="entry grid")
    def entry_grids(self, unit: Unit) -> str:
        # By URL name only: the catalogue does not import reporting.
        if not unit.pk:
            return "—"
        return format_html(
            '<a href="{}?unit={}">Enter figures</a>',
            reverse("admin:reporting_figure_grid_pick"),
            unit.pk,
        )


@admin.register(Metric)
class MetricAdmin(AlertImportExportMixin, admin.ModelAdmin):
    resource_classes = [MetricResource]
    list_display = [
        "label",
        "code",
        "unit",
        "value_type",
        "regional_label",
        "headline",
        "polarity",
        "active",
    ]
    list_filter = ["unit", "value_type", "headline", "active"]
    list_select_related = ["unit"]
    search_fields = ["label", "code", "unit__code"]
    ordering = ["unit__display_order", "display_order", "code"]
    autocomplete_fields = ["unit"]
    prepopulated_fields = {"code": ["label"]}


@admin.register(Region)
class RegionAdmin(AlertImportExportMixin, admin.ModelAdmin):
    resource_classes = [RegionResource]
    list_display = ["name", "display_order"]
    list_editable = ["display_order"]
    search_fields = ["name"]
    ordering = ["display_order", "name"]


class AssignedUnitInline(admin.TabularInline):
    model = Unit.data_entry_users.through
    verbose_name = "assigned unit"
    verbose_name_plural = (
        "assigned units (data entry: a user assigned to units changes only those units' "
        "figures; with none, all units)"
    )
    autocomplete_fields = ["unit"]
    extra = 0


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Users with their roles (groups) and assigned units in view."""

    list_display = [
        "username",
        "full_name",
        "email",
        "roles",
        "units",
        "is_active",
        "is_staff",
        "is_superuser",
    ]
    list_filter = ["groups", "is_active", "is_staff", "is_superuser"]
    inlines = [AssignedUnitInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups", "assigned_units")

    @admin.display(description="name")
    def full_name(self, user) -> str:
        return user.get_full_name() or "—"

    @admin.display(description="roles (groups)")
    def roles(self, user) -> str:
        return ", ".join(group.name for group in user.groups.all()) or "—"

    @admin.display(description="assigned units")
    def units(self, user) -> str:
        return ", ".join(unit.code for unit in user.assigned_units.all()) or "all units"
