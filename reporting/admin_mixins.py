"""Small admin building blocks shared by the reporting admin modules."""


class ReadOnlyAdminMixin:
    """Records that are written by the system, never by hand: history, provenance."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
