"""Who may do what through the API: Django's model permissions, reading included.

DRF's DjangoModelPermissions asks no permission at all for GET, HEAD and
OPTIONS, so any account could read every figure. Here reading needs the
model's *view* permission, which every role has and an account with no role
lacks. Writing needs add/change/delete as usual; whether this user may change
this figure (its year open, its unit theirs) is the services' business, through
the one gate ``reporting.access.write_refusal``; a locked year is answered with 409.
"""

from rest_framework.permissions import BasePermission, DjangoModelPermissions

from reporting.access import can_view_summary

VIEW = ["%(app_label)s.view_%(model_name)s"]


class ModelPermissions(DjangoModelPermissions):
    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": VIEW,
        "HEAD": VIEW,
        "OPTIONS": VIEW,
    }


class UpsertPermissions(ModelPermissions):
    """The bulk upsert both adds and changes figures, so it needs both."""

    perms_map = {
        **ModelPermissions.perms_map,
        "POST": ["%(app_label)s.add_%(model_name)s", "%(app_label)s.change_%(model_name)s"],
    }


class HasRole(BasePermission):
    """The API's root, its schema and its documentation: for accounts with a
    role (Administrators, Data entry, Leadership), as the figures are. An
    account with no role learns nothing of the API from it; anonymous
    requests get 401 (the token is asked for)."""

    message = "You need a Leadership, Data entry or Administrators role."

    def has_permission(self, request, view) -> bool:
        return can_view_summary(request.user)
