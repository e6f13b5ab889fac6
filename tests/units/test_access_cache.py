"""A signed-in user's permissions and unit assignments live in the shared cache,
and are forgotten the moment their groups, permissions or units change."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.urls import reverse

from reporting.roles import DATA_ENTRY, LEADERSHIP
from units.auth import access_key
from units.models import Unit, assigned_unit_ids

ADD_FIGURE = "reporting.add_figure"
VIEW_FIGURE = "reporting.view_figure"


def fresh(user: User) -> User:
    """The user as the next request loads them (nothing cached on the object)."""
    return User.objects.get(pk=user.pk)


def test_the_next_request_reads_permissions_and_units_from_the_cache(
    leader, catalogue, django_assert_num_queries
):
    assert fresh(leader).has_perm(VIEW_FIGURE)
    assert cache.get(access_key(leader.pk)) is not None
    next_request = fresh(leader)
    with django_assert_num_queries(0):
        assert next_request.has_perm(VIEW_FIGURE)
        assert not next_request.has_perm(ADD_FIGURE)
        assert assigned_unit_ids(next_request) is None


def add_to_data_entry(user):
    user.groups.add(Group.objects.get(name=DATA_ENTRY))


def add_from_the_groups_side(user):
    Group.objects.get(name=DATA_ENTRY).user_set.add(user)


def give_the_permission_itself(user):
    user.user_permissions.add(Permission.objects.get(codename="add_figure"))


def give_it_from_the_permissions_side(user):
    Permission.objects.get(codename="add_figure").user_set.add(user)


def give_it_to_their_group(user):
    Group.objects.get(name=LEADERSHIP).permissions.add(
        Permission.objects.get(codename="add_figure")
    )


def give_it_to_their_group_from_the_permissions_side(user):
    Permission.objects.get(codename="add_figure").group_set.add(Group.objects.get(name=LEADERSHIP))


@pytest.mark.parametrize(
    "grant",
    [
        add_to_data_entry,
        add_from_the_groups_side,
        give_the_permission_itself,
        give_it_from_the_permissions_side,
        give_it_to_their_group,
        give_it_to_their_group_from_the_permissions_side,
    ],
)
def test_a_granted_permission_shows_on_the_next_request(leader, catalogue, grant):
    assert not fresh(leader).has_perm(ADD_FIGURE)  # now cached
    grant(leader)
    assert fresh(leader).has_perm(ADD_FIGURE)


def leave_the_group(user):
    user.groups.remove(Group.objects.get(name=DATA_ENTRY))


def group_removes_them(user):
    Group.objects.get(name=DATA_ENTRY).user_set.remove(user)


def group_is_emptied(user):
    Group.objects.get(name=DATA_ENTRY).user_set.clear()


def group_loses_the_permission(user):
    Group.objects.get(name=DATA_ENTRY).permissions.remove(
        Permission.objects.get(codename="add_figure")
    )


def group_loses_every_permission(user):
    Group.objects.get(name=DATA_ENTRY).permissions.clear()


def group_is_deleted(user):
    Group.objects.get(name=DATA_ENTRY).delete()


def user_is_deactivated(user):
    user.is_active = False
    user.save()


@pytest.mark.parametrize(
    "revoke",
    [
        leave_the_group,
        group_removes_them,
        group_is_emptied,
        group_loses_the_permission,
        group_loses_every_permission,
        group_is_deleted,
        user_is_deactivated,
    ],
)
def test_a_revoked_permission_is_gone_on_the_next_request(clerk, catalogue, revoke):
    assert fresh(clerk).has_perm(ADD_FIGURE)  # now cached
    revoke(clerk)
    assert not fresh(clerk).has_perm(ADD_FIGURE)


def test_unit_assignments_changed_from_either_side_show_on_the_next_request(clerk, catalogue):
    ice, cfseu = Unit.objects.get(code="ICE"), Unit.objects.get(code="CFSEU")
    assert assigned_unit_ids(fresh(clerk)) is None  # every unit; now cached
    ice.data_entry_users.add(clerk)
    assert assigned_unit_ids(fresh(clerk)) == {ice.pk}
    clerk.assigned_units.add(cfseu)
    assert assigned_unit_ids(fresh(clerk)) == {ice.pk, cfseu.pk}
    ice.data_entry_users.clear()
    assert assigned_unit_ids(fresh(clerk)) == {cfseu.pk}
    clerk.assigned_units.remove(cfseu)
    assert assigned_unit_ids(fresh(clerk)) is None


def test_a_new_user_reusing_an_id_never_sees_the_old_users_permissions(clerk, catalogue):
    assert fresh(clerk).has_perm(ADD_FIGURE)
    old_id = clerk.pk
    clerk.delete()
    # SQLite may hand a deleted row's id out again.
    newcomer = User.objects.create_user(id=old_id, username="dave", password="x" * 12)
    assert not fresh(newcomer).has_perm(ADD_FIGURE)


def test_the_signed_in_user_comes_from_the_cache_after_their_first_request(
    client, leader, dataset, django_assert_num_queries
):
    client.force_login(leader)
    url = reverse("reporting:year_list")
    assert client.get(url).status_code == 200
    with django_assert_num_queries(1):  # the years; the user and their access are cached
        page = client.get(url)
    assert page.status_code == 200
    assert page.context["user"] == leader


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda user: setattr(user, "is_active", False), id="deactivated"),
        pytest.param(lambda user: user.set_password("a brand new secret 42"), id="new password"),
    ],
)
def test_a_saved_change_to_the_user_ends_their_cached_sign_in_at_once(
    client, leader, dataset, change
):
    """An administrator deactivates Carol, or her password changes: the cached
    copy of her is forgotten, and her open session no longer reads anything."""
    client.force_login(leader)
    url = reverse("reporting:year_list")
    assert client.get(url).status_code == 200
    assert "account" in cache.get(access_key(leader.pk))
    user = User.objects.get(pk=leader.pk)
    change(user)
    user.save()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
