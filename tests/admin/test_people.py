"""Adding a person in one form; staff status follows the role; assignments read as units."""

import importlib
import re

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.urls import reverse

from reporting import people
from reporting.roles import DATA_ENTRY, LEADERSHIP
from units.models import Unit, assigned_unit_ids

ADD = reverse("admin:auth_user_add")


def _add(client, **fields):
    data = {
        "first_name": "Jane",
        "last_name": "Smith",
        "email": "Jane.Smith@Example.org",
        "role": DATA_ENTRY,
        **fields,
    }
    return client.post(ADD, data, follow=True)


def link_in(message) -> str:
    return re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)


def test_an_administrator_adds_a_clerk_with_units_in_one_form(client, administrator, dataset):
    client.force_login(administrator)
    form = client.get(ADD).content.decode()
    for name in ["first_name", "last_name", "email", "role", "units"]:
        assert f'name="{name}"' in form
    assert 'name="is_staff"' not in form and 'name="password1"' not in form

    cfseu = Unit.objects.get(code="CFSEU")
    response = _add(client, units=[cfseu.pk])
    assert "Added Jane Smith (Data entry for CFSEU)" in response.content.decode()
    jane = User.objects.get(username="jane.smith@example.org")
    assert jane.email == "jane.smith@example.org"
    assert jane.is_staff and not jane.is_superuser
    assert list(jane.groups.values_list("name", flat=True)) == [DATA_ENTRY]
    assert list(jane.assigned_units.all()) == [cfseu]
    assert not jane.has_usable_password()

    (invitation,) = mail.outbox
    assert invitation.to == ["jane.smith@example.org"]
    assert "jane.smith@example.org" in invitation.body  # the username to sign in with
    assert link_in(invitation).startswith("/accounts/reset/")


def test_the_emailed_link_sets_the_password_once(client, administrator, dataset):
    client.force_login(administrator)
    _add(client, every_unit="on")
    client.logout()
    link = link_in(mail.outbox[0])
    form_page = client.get(link, follow=True)
    assert "Set your password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_url,
        {"new_password1": "a long pass phrase 42", "new_password2": "a long pass phrase 42"},
        follow=True,
    )
    assert "Your password is set" in done.content.decode()
    assert User.objects.get(username="jane.smith@example.org").check_password(
        "a long pass phrase 42"
    )
    again = client.get(link, follow=True)
    assert "This link no longer works" in again.content.decode()


def test_units_are_for_data_entry_only(client, administrator, dataset):
    client.force_login(administrator)
    response = _add(client, role=LEADERSHIP, units=[Unit.objects.get(code="ICE").pk])
    assert "Only Data entry staff are assigned units" in response.content.decode()
    assert not User.objects.filter(email__iexact="jane.smith@example.org").exists()
    assert mail.outbox == []


def test_a_clerk_is_added_with_a_unit_or_the_every_unit_box(client, administrator, dataset):
    client.force_login(administrator)
    neither = _add(client).content.decode()
    assert "Tick the units whose figures they enter, or tick “every unit”" in neither
    ice = Unit.objects.get(code="ICE")
    both = _add(client, units=[ice.pk], every_unit="on").content.decode()
    assert "not both" in both
    assert not User.objects.filter(email__iexact="jane.smith@example.org").exists()
    assert mail.outbox == []

    response = _add(client, every_unit="on")
    assert "Added Jane Smith (Data entry for every unit)" in response.content.decode()
    jane = User.objects.get(username="jane.smith@example.org")
    assert assigned_unit_ids(jane) is None
    assert set(Unit.objects.editable_by(jane)) == set(Unit.objects.all())


def test_a_clerk_with_neither_units_nor_the_box_sees_no_unit(dataset):
    """Data made before the box (or by hand): no unit and no box is no unit at all."""
    nobody = User.objects.create_user("erin")
    nobody.groups.add(Group.objects.get(name=DATA_ENTRY))
    assert assigned_unit_ids(nobody) == frozenset()
    assert not Unit.objects.editable_by(nobody).exists()


def test_the_migration_keeps_every_unit_for_clerks_who_had_no_unit(dataset):
    from django.apps import apps

    migration = importlib.import_module("units.migrations.0007_unit_every_unit_permission")
    data_entry = Group.objects.get(name=DATA_ENTRY)
    unassigned, assigned = User.objects.create_user("erin"), User.objects.create_user("finn")
    for person in (unassigned, assigned):
        person.groups.add(data_entry)
    Unit.objects.get(code="ICE").data_entry_users.add(assigned)
    leader = User.objects.create_user("gail")
    leader.groups.add(Group.objects.get(name=LEADERSHIP))
    migration.keep_every_unit(apps, None)
    every_unit = people.every_unit_permission()
    assert every_unit in unassigned.user_permissions.all()
    assert every_unit not in assigned.user_permissions.all()
    assert every_unit not in leader.user_permissions.all()  # their role holds it
    assert assigned_unit_ids(User.objects.get(pk=unassigned.pk)) is None
    assert assigned_unit_ids(User.objects.get(pk=leader.pk)) is None


def test_an_address_already_on_record_is_refused(client, administrator, dataset):
    User.objects.create_user("jsmith", email="jane.smith@example.org")
    client.force_login(administrator)
    response = _add(client, every_unit="on")
    assert "jane.smith@example.org already has an account" in response.content.decode()
    assert User.objects.filter(email__iexact="jane.smith@example.org").count() == 1


def test_clerks_cannot_add_people(client, clerk, dataset):
    client.force_login(clerk)
    assert client.get(ADD).status_code == 403
    assert _add(client).status_code == 403
    assert not User.objects.filter(email__iexact="jane.smith@example.org").exists()


def test_staff_status_is_not_on_the_change_form_and_follows_the_role(
    client, administrator, clerk, dataset
):
    client.force_login(administrator)
    change = reverse("admin:auth_user_change", args=[clerk.pk])
    page = client.get(change).content.decode()
    assert 'name="is_staff"' not in page
    assert "Yes: follows the role" in page
    data = {
        "username": "bob",
        "first_name": "Bob",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "groups": [],  # the role taken away
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-12-01",
        "date_joined_1": "09:00:00",
        "units-TOTAL_FORMS": "0",
        "units-INITIAL_FORMS": "0",
        "Unit_data_entry_users-TOTAL_FORMS": "0",
        "Unit_data_entry_users-INITIAL_FORMS": "0",
        "is_staff": "on",  # a forged tick is ignored
    }
    response = client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    clerk.refresh_from_db()
    assert not clerk.is_staff
    data["groups"] = [Group.objects.get(name=LEADERSHIP).pk]
    data.pop("is_staff")
    client.post(change, data)
    clerk.refresh_from_db()
    assert clerk.is_staff


def test_a_unit_assignment_reads_as_its_unit(client, administrator, clerk, dataset):
    cfseu = Unit.objects.get(code="CFSEU")
    cfseu.data_entry_users.add(clerk)
    assignment = Unit.data_entry_users.through.objects.get(user=clerk)
    assert str(assignment) == "CFSEU — Combined Special Forces Enforcement"
    client.force_login(administrator)
    page = client.get(reverse("admin:auth_user_change", args=[clerk.pk])).content.decode()
    assert "CFSEU — Combined Special Forces Enforcement" in page
    assert "Unit_data_entry_users object" not in page


@pytest.mark.parametrize("role", people.ROLES)
def test_every_role_signs_in_to_the_admin(role, dataset):
    person = people.add_person(
        first_name="Pat",
        last_name="Lee",
        email=f"pat.{len(role)}@example.org",
        role=role,
        every_unit=role == DATA_ENTRY,
    )
    assert person.is_staff
