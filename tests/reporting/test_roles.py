"""The roles exist after migrate, with the permissions their users need."""

import pytest
from django.contrib.auth.models import Group


def test_the_three_roles_exist(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Administrators",
        "Data entry",
        "Leadership",
    }


@pytest.mark.parametrize(
    ("role", "permission", "granted"),
    [
        ("administrator", "reporting.lock_fiscalyear", True),
        ("administrator", "auth.change_user", True),
        ("clerk", "reporting.add_figure", True),
        ("clerk", "reporting.change_figure", True),
        ("clerk", "units.view_metric", True),
        ("clerk", "units.change_metric", False),
        ("clerk", "reporting.lock_fiscalyear", False),
        ("leader", "reporting.view_figure", True),
        ("leader", "reporting.change_figure", False),
        ("outsider", "reporting.view_figure", False),
    ],
)
def test_role_permissions(request, role, permission, granted):
    user = request.getfixturevalue(role)
    assert user.has_perm(permission) is granted
