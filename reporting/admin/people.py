"""People in the admin: the users list with roles and units, one form to add a
person, and staff status that follows the role (``reporting.people``)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from reporting import people
from reporting.roles import DATA_ENTRY
from units.models import Unit, assigned_unit_ids

User = get_user_model()


class PersonForm(forms.Form):
    """Everything about a new person on one page: name, email, role, units."""

    first_name = forms.CharField(max_length=150, label="First name")
    last_name = forms.CharField(max_length=150, label="Last name")
    email = forms.EmailField(
        label="Email address",
        help_text="Their username, and where the link to set their password is sent.",
    )
    role = forms.ChoiceField(
        choices=[(role, f"{role}: {people.ROLE_DESCRIPTIONS[role]}") for role in people.ROLES],
        widget=forms.RadioSelect,
        initial=DATA_ENTRY,
    )
    units = forms.ModelMultipleChoiceField(
        queryset=Unit.objects.active(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Units (Data entry only)",
        help_text="The units whose figures they enter.",
    )
    every_unit = forms.BooleanField(
        required=False,
        label="Every unit (Data entry only)",
        help_text="Instead of ticking units: they enter the figures of every unit, "
        "including units added later.",
    )

    def clean(self):
        data = super().clean()
        if data.get("role"):
            try:
                # The service's rule, shown on the form before anything is saved.
                people.check_units(data["role"], data.get("units") or [], data.get("every_unit"))
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    self.add_error(field, errors)
        return data


def add_person(model_admin, request):
    """The users' "Add" page: one form, then the person is mailed a password link."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = people.add_person(**form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            people.send_invitation(person, request=request)
            model_admin.log_addition(request, person, [{"added": {}}])
            units = ", ".join(unit.code for unit in form.cleaned_data["units"])
            if form.cleaned_data["every_unit"]:
                units = "every unit"
            role = form.cleaned_data["role"] + (f" for {units}" if units else "")
            model_admin.message_user(
                request,
                f"Added {person.get_full_name()} ({role}). A link to set their password "
                f"was emailed to {person.email}; it works once, for a few days.",
                messages.SUCCESS,
            )
            return redirect("admin:auth_user_changelist")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Add a person",
        "form": form,
        "has_view_permission": model_admin.has_view_permission(request),
    }
    return TemplateResponse(request, "admin/auth/user/add_person.html", context)


class AssignedUnitInline(admin.TabularInline):
    model = Unit.data_entry_users.through
    verbose_name = "assigned unit"
    verbose_name_plural = (
        "assigned units (data entry: a user assigned to units changes only those units' "
        "figures; with none, every unit if they hold “Works on every unit”, else none)"
    )
    autocomplete_fields = ["unit"]
    extra = 0


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Users with their roles (groups) and assigned units in view; staff status
    follows the role and is not on the form."""

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
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        (
            "Role and permissions",
            {
                "fields": (
                    "is_active",
                    "groups",
                    "staff_status",
                    "is_superuser",
                    "user_permissions",
                ),
                "description": "The role is the group: Administrators, Data entry or Leadership. "
                "Staff status (signing in to the admin) follows from it.",
            },
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["staff_status"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups", "assigned_units")

    def add_view(self, request, form_url="", extra_context=None):
        return add_person(self, request)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        people.sync_staff_status(form.instance)

    def delete_view(self, request, object_id, extra_context=None):
        # Releases and the publication log name who published: the database
        # keeps them (PROTECT), so the person stays, deactivated.
        if people.has_published(object_id):
            messages.warning(
                request,
                "This person published a release or prepared a correction: the "
                "publication record names them and is never changed, so they cannot be "
                "deleted. Deactivate the account instead (untick “Active” on their page): "
                "they can no longer sign in.",
            )
        return super().delete_view(request, object_id, extra_context)

    @admin.display(description="staff status")
    def staff_status(self, user) -> str:
        if user.is_superuser:
            return "Yes: a superuser"
        if user.is_staff:
            return "Yes: follows the role"
        return "No: give them a role to let them sign in"

    @admin.display(description="name")
    def full_name(self, user) -> str:
        return user.get_full_name() or "—"

    @admin.display(description="roles (groups)")
    def roles(self, user) -> str:
        return ", ".join(group.name for group in user.groups.all()) or "—"

    @admin.display(description="assigned units")
    def units(self, user) -> str:
        assigned = ", ".join(unit.code for unit in user.assigned_units.all())
        if assigned:
            return assigned
        return "every unit" if assigned_unit_ids(user) is None else "none (sees no figures)"
