"""Who may do what through the API: Django's model permissions, reading included.

DRF's DjangoModelPermissions asks no permission at all for GET, HEAD and
OPTIONS, so any account could read every figure. Here reading needs the
model's *view* permission, which every role has and an account with no role
lacks. Writing needs add/change/delete as usual; whether this user may change
this figure (its year open, its unit theirs) is the services' business, through
the one gate ``reporting.access.write_refusal``; a locked year is answered with 409.
"""

from rest_framework.permissions import DjangoModelPermissions

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
