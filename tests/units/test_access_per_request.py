"""A user's account, permissions and unit assignments are read for each
request (Django's ModelBackend): any change takes effect at the next one."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from reporting.roles import DATA_ENTRY, LEADERSHIP
from units.models import Unit, assigned_unit_ids

ADD_FIGURE = "reporting.add_figure"


def fresh(user: User) -> User:
    """The user as the next request loads them."""
    return User.objects.get(pk=user.pk)


def give_the_permission_itself(user):
    user.user_permissions.add(Permission.objects.get(codename="add_figure"))


def give_it_to_their_group(user):
    Group.objects.get(name=LEADERSHIP).permissions.add(
        Permission.objects.get(codename="add_figure")
    )


def add_to_data_entry(user):
    user.groups.add(Group.objects.get(name=DATA_ENTRY))


@pytest.mark.parametrize(
    "grant", [add_to_data_entry, give_the_permission_itself, give_it_to_their_group]
)
def test_a_granted_permission_shows_on_the_next_request(leader, catalogue, grant):
    assert not fresh(leader).has_perm(ADD_FIGURE)
    grant(leader)
    assert fresh(leader).has_perm(ADD_FIGURE)


def leave_the_group(user):
    user.groups.remove(Group.objects.get(name=DATA_ENTRY))


def group_loses_the_permission(user):
    Group.objects.get(name=DATA_ENTRY).permissions.remove(
        Permission.objects.get(codename="add_figure")
    )


def group_is_deleted(user):
    Group.objects.get(name=DATA_ENTRY).delete()


@pytest.mark.parametrize("revoke", [leave_the_group, group_loses_the_permission, group_is_deleted])
def test_a_revoked_permission_is_gone_on_the_next_request(clerk, catalogue, revoke):
    assert fresh(clerk).has_perm(ADD_FIGURE)
    revoke(clerk)
    assert not fresh(clerk).has_perm(ADD_FIGURE)


def test_unit_assignments_changed_from_either_side_show_on_the_next_request(clerk, catalogue):
    ice, cfseu = Unit.objects.get(code="ICE"), Unit.objects.get(code="CFSEU")
    assert assigned_unit_ids(fresh(clerk)) is None  # every unit
    ice.data_entry_users.add(clerk)
    assert assigned_unit_ids(fresh(clerk)) == {ice.pk}
    clerk.assigned_units.add(cfseu)
    assert assigned_unit_ids(fresh(clerk)) == {ice.pk, cfseu.pk}
    ice.data_entry_users.clear()
    assert assigned_unit_ids(fresh(clerk)) == {cfseu.pk}


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda user: setattr(user, "is_active", False), id="deactivated"),
        pytest.param(lambda user: user.set_password("a brand new secret 42"), id="new password"),
    ],
)
def test_a_saved_change_to_the_user_ends_their_open_session_at_the_next_request(
    client, leader, dataset, change
):
    """An administrator deactivates Carol, or her password changes: her open
    session no longer reads anything."""
    client.force_login(leader)
    url = reverse("reporting:year_list")
    assert client.get(url).status_code == 200
    user = User.objects.get(pk=leader.pk)
    change(user)
    user.save()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_clerk_taken_out_of_data_entry_cannot_add_a_figure_at_the_next_request(
    client, clerk, dataset
):
    client.force_login(clerk)
    url = reverse("admin:reporting_figure_add")
    assert client.get(url).status_code == 200
    clerk.groups.remove(Group.objects.get(name=DATA_ENTRY))
    assert client.get(url).status_code == 403


def test_a_deactivated_users_api_session_is_refused_at_the_next_request(client, clerk, dataset):
    client.force_login(clerk)
    url = reverse("api:figure-list")
    assert client.get(url).status_code == 200
    User.objects.filter(pk=clerk.pk).update(is_active=False)
    assert client.get(url).status_code == 401  # no session user: asked to sign in
