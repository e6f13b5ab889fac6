"""Unit assignment: a clerk assigned to units works on those units only, on every path."""

import pytest
from django.urls import reverse

from reporting import services
from reporting.importing.longform import LongFormRow
from reporting.importing.pipeline import run_import
from reporting.models import Figure, FiscalYear
from tests.lookups import figure_of
from units.models import Unit, UnitNotAssigned


def test_a_clerk_with_no_assignment_and_the_every_unit_box_works_on_every_unit(dataset, clerk):
    assert Unit.objects.editable_by(clerk).count() == Unit.objects.count()
    assert Figure.objects.visible_to(clerk).count() == Figure.objects.count()


def test_an_assigned_clerk_sees_only_their_units_figures(ice_clerk, client):
    client.force_login(ice_clerk)
    response = client.get(reverse("admin:reporting_figure_changelist"), {"all": ""})
    units = {figure.metric.unit.code for figure in response.context["cl"].result_list}
    assert units == {"ICE"}
    other = figure_of("CFSEU", "charges-laid", "Q1")
    url = reverse("admin:reporting_figure_change", args=[other.pk])
    assert client.get(url).status_code == 302  # "does not exist" back to the list
    assert client.post(url, {"value": "1"}).status_code == 302
    assert figure_of("CFSEU", "charges-laid", "Q1").value == 176


def test_an_assigned_clerk_cannot_add_a_figure_to_another_unit(ice_clerk, client):
    client.force_login(ice_clerk)
    Figure.objects.filter(metric__unit__code="AUTO", metric__code="stolen-vehicles").delete()
    metric = Unit.objects.get(code="AUTO").metrics.get(code="stolen-vehicles")
    period = FiscalYear.objects.get(label="2023-24").periods.get(period="Q1")
    response = client.post(
        reverse("admin:reporting_figure_add"),
        {"metric": metric.pk, "period": period.pk, "value": "3"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Figure.objects.filter(metric=metric).exists()


def test_the_grid_refuses_an_unassigned_unit(ice_clerk, client):
    client.force_login(ice_clerk)
    year = FiscalYear.objects.get(label="2023-24")
    cfseu = Unit.objects.get(code="CFSEU")
    url = reverse("admin:reporting_figure_grid", args=[cfseu.pk, year.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403
    pick = client.get(reverse("admin:reporting_figure_grid_pick"))
    assert [unit.code for unit in pick.context["units"]] == ["ICE"]


def test_the_services_refuse_an_unassigned_unit_with_a_clear_message(ice_clerk):
    figure = figure_of("CFSEU", "charges-laid", "Q1")
    with pytest.raises(UnitNotAssigned, match="bob is not assigned to CFSEU"):
        services.record_figure(
            metric=figure.metric, period=figure.period, value="1", user=ice_clerk
        )
    with pytest.raises(UnitNotAssigned):
        services.delete_figure(figure=figure, user=ice_clerk)
    ice = figure_of("ICE", "file-intakes", "Q1")
    services.record_figure(metric=ice.metric, period=ice.period, value="681", user=ice_clerk)
    assert figure_of("ICE", "file-intakes", "Q1").value == 681


def test_the_import_pipeline_refuses_an_unassigned_unit(ice_clerk):
    rows = [
        LongFormRow(2, "ICE", "file-intakes", "2023-24", "Q1", value="681"),
        LongFormRow(3, "CFSEU", "charges-laid", "2023-24", "Q1", value="1"),
    ]
    outcome = run_import(rows, user=ice_clerk, file_name="mixed.csv")
    assert not outcome.written
    assert outcome.problems == [
        "row 3, column “unit”: bob is not assigned to CFSEU: only the units assigned to you "
        "on your user page can be changed. Ask an administrator to assign you to CFSEU."
    ]
    assert figure_of("ICE", "file-intakes", "Q1").value == 680


def test_the_users_admin_shows_roles_and_assigned_units(ice_clerk, client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("admin:auth_user_changelist"))
    content = response.content.decode()
    assert "Data entry" in content and "Administrators" in content
    row = next(u for u in response.context["cl"].result_list if u.username == "bob")
    admin = response.context["cl"].model_admin
    assert admin.units(row) == "ICE"
    assert admin.roles(row) == "Data entry"
    page = client.get(reverse("admin:auth_user_change", args=[ice_clerk.pk]))
    assert "assigned units" in page.content.decode().lower()


def test_an_administrator_assigns_a_unit_on_the_unit_page(dataset, client, administrator, clerk):
    client.force_login(administrator)
    unit = Unit.objects.get(code="HTCE")
    page = client.get(reverse("admin:units_unit_change", args=[unit.pk]))
    assert "data_entry_users" in page.content.decode()
    form = page.context["adminform"].form
    data = {
        **{k: v for k, v in form.initial.items() if k in form.fields and v is not None},
        "data_entry_users": [clerk.pk],
        "metrics-TOTAL_FORMS": "0",
        "metrics-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:units_unit_change", args=[unit.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(clerk.assigned_units.values_list("code", flat=True)) == ["HTCE"]


def test_an_administrator_sets_up_a_new_clerk_in_the_admin(dataset, client, administrator):
    from django.contrib.auth.models import Group, User

    client.force_login(administrator)
    # One form (name, email, role, every unit), then a unit on the user's page.
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "first_name": "Erin",
            "last_name": "Ng",
            "email": "erin@example.org",
            "role": "Data entry",
            "every_unit": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    erin = User.objects.get(username="erin@example.org")
    ice = Unit.objects.get(code="ICE")
    change = reverse("admin:auth_user_change", args=[erin.pk])
    prefix = "Unit_data_entry_users"
    response = client.post(
        change,
        {
            "username": "erin@example.org",
            "is_active": "on",
            "groups": [Group.objects.get(name="Data entry").pk],
            "date_joined_0": "2026-11-30",
            "date_joined_1": "01:00:00",
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-0-unit": ice.pk,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    erin = User.objects.get(username="erin@example.org")
    assert erin.is_staff
    assert erin.has_perm("reporting.add_figure")
    assert list(Unit.objects.editable_by(erin)) == [ice]
