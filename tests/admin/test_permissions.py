"""The permission matrix: each role on each admin page, allowed or refused, never a 500."""

import pytest
from django.urls import reverse

from reporting.models import Figure, FiscalYear
from tests.lookups import figure_of
from units.models import Unit

ROLES = ["administrator", "clerk", "leader", "outsider"]

CHANGELISTS = [
    "units_unit",
    "units_metric",
    "units_region",
    "reporting_fiscalyear",
    "reporting_reportingperiod",
    "reporting_figure",
    "reporting_importbatch",
    "reporting_historicalfigure",
]

# 200 allowed, 403 refused.
CHANGELIST_ACCESS = {"administrator": 200, "clerk": 200, "leader": 200, "outsider": 403}

ADD_ACCESS = {
    "units_unit": {"administrator": 200, "clerk": 403, "leader": 403, "outsider": 403},
    "units_metric": {"administrator": 200, "clerk": 403, "leader": 403, "outsider": 403},
    "units_region": {"administrator": 200, "clerk": 403, "leader": 403, "outsider": 403},
    "reporting_fiscalyear": {"administrator": 200, "clerk": 403, "leader": 403, "outsider": 403},
    "reporting_figure": {"administrator": 200, "clerk": 200, "leader": 403, "outsider": 403},
    "reporting_importbatch": {"administrator": 403, "clerk": 403, "leader": 403, "outsider": 403},
    "reporting_historicalfigure": {r: 403 for r in ROLES},
    "auth_user": {"administrator": 200, "clerk": 403, "leader": 403, "outsider": 403},
    "auth_group": {"administrator": 200, "clerk": 403, "leader": 403, "outsider": 403},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", CHANGELISTS)
def test_changelist_access(request, dataset, client, role, model):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == CHANGELIST_ACCESS[role]


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_manage_users_and_groups(request, dataset, client, role):
    client.force_login(request.getfixturevalue(role))
    for name in ["auth_user", "auth_group"]:
        response = client.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == (200 if role == "administrator" else 403)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", list(ADD_ACCESS))
def test_add_page_access(request, dataset, client, role, model):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse(f"admin:{model}_add"))
    assert response.status_code == ADD_ACCESS[model][role]


@pytest.mark.parametrize(
    ("role", "status", "editable"),
    [
        ("administrator", 200, True),
        ("clerk", 200, True),
        ("leader", 200, False),
        ("outsider", 403, False),
    ],
)
def test_figure_change_page(request, dataset, client, role, status, editable):
    client.force_login(request.getfixturevalue(role))
    figure = figure_of("ICE", "file-intakes", "Q1")
    response = client.get(reverse("admin:reporting_figure_change", args=[figure.pk]))
    assert response.status_code == status
    if status == 200:
        assert response.context["has_change_permission"] is editable


@pytest.mark.parametrize(
    ("role", "status"),
    [("administrator", 200), ("clerk", 200), ("leader", 403), ("outsider", 403)],
)
def test_figure_delete_page(request, dataset, client, role, status):
    client.force_login(request.getfixturevalue(role))
    figure = figure_of("ICE", "file-intakes", "Q1")
    response = client.get(reverse("admin:reporting_figure_delete", args=[figure.pk]))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("administrator", 200), ("clerk", 403), ("leader", 403), ("outsider", 403)],
)
def test_unit_change_and_delete_are_for_administrators(request, dataset, client, role, status):
    client.force_login(request.getfixturevalue(role))
    unit = Unit.objects.get(code="ICE")
    change = client.get(reverse("admin:units_unit_change", args=[unit.pk]))
    # Readers see the unit page read-only.
    assert change.status_code == (403 if role == "outsider" else 200)
    if change.status_code == 200:
        assert change.context["has_change_permission"] is (role == "administrator")
    delete = client.get(reverse("admin:units_unit_delete", args=[unit.pk]))
    assert delete.status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("administrator", 200), ("clerk", 200), ("leader", 403), ("outsider", 403)],
)
def test_entry_grid_access(request, year, client, role, status):
    client.force_login(request.getfixturevalue(role))
    unit = Unit.objects.get(code="ICE")
    assert client.get(reverse("admin:reporting_figure_grid_pick")).status_code == status
    grid = reverse("admin:reporting_figure_grid", args=[unit.pk, year.pk])
    assert client.get(grid).status_code == status
    before = Figure.history.count()
    response = client.post(grid, {})
    assert response.status_code in ((302, 200) if status == 200 else (403,))
    if status == 403:
        assert Figure.history.count() == before


@pytest.mark.parametrize(
    ("role", "status"),
    [("administrator", 200), ("clerk", 200), ("leader", 200), ("outsider", 403)],
)
def test_findings_and_history_pages(request, year, client, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("admin:reporting_findings")).status_code == status
    history = reverse("admin:reporting_historicalfigure_changelist")
    assert client.get(history).status_code == status


@pytest.mark.parametrize(
    ("role", "may_lock"),
    [("administrator", True), ("clerk", False), ("leader", False), ("outsider", False)],
)
def test_publishing_is_for_administrators(request, year, client, role, may_lock):
    client.force_login(request.getfixturevalue(role))
    url = reverse("admin:reporting_fiscalyear_changelist")
    response = client.post(url, {"action": "publish_year", "_selected_action": [year.pk]})
    review = reverse("admin:reporting_fiscalyear_publish", args=[year.pk])
    assert (response.status_code == 302 and response["Location"] == review) is may_lock
    assert (client.get(review).status_code == 200) is may_lock
    client.post(review, {"confirm": "yes"})
    if role in ("clerk", "leader"):
        page = client.get(url)
        assert b"publish_year" not in page.content
    year.refresh_from_db()
    assert not year.is_locked or may_lock


def test_history_records_cannot_be_changed_or_deleted(dataset, client, administrator):
    client.force_login(administrator)
    record = Figure.history.first()
    change = reverse("admin:reporting_historicalfigure_change", args=[record.pk])
    delete = reverse("admin:reporting_historicalfigure_delete", args=[record.pk])
    assert client.get(change).status_code == 200  # a read-only view
    assert client.post(change, {}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Figure.history.filter(pk=record.pk).exists()


def test_a_locked_year_cannot_be_edited_on_its_own_page(year, client, clerk):
    client.force_login(clerk)
    response = client.post(
        reverse("admin:reporting_fiscalyear_change", args=[year.pk]), {"label": "2023-24"}
    )
    assert response.status_code == 403
    assert FiscalYear.objects.get(pk=year.pk).label == "2023-24"
