"""The admin's own list filters (beside the fields' ordinary ones)."""

from django.contrib import admin

from units.models import Unit


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


class ChangeTypeFilter(admin.SimpleListFilter):
    title = "type of change"
    parameter_name = "change"

    def lookups(self, request, model_admin):
        return [("+", "Created"), ("~", "Changed"), ("-", "Deleted")]

    def queryset(self, request, queryset):
        return queryset.filter(history_type=self.value()) if self.value() else queryset


class UnitFilter(admin.RelatedFieldListFilter):
    """A figure's unit (``("metric__unit", UnitFilter)``), offering only the
    units the reader sees: a clerk's own, every unit for the others."""

    def field_choices(self, field, request, model_admin):
        return [(unit.pk, str(unit)) for unit in Unit.objects.editable_by(request.user)]
