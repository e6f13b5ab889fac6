"""A published year is read-only to everyone, administrators included, on
every path that writes: each path is tried by a clerk and by an
administrator, and each is refused with a message that says how to correct
the year, and nothing changes."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from reporting import grid as entry_grid
from reporting import services
from reporting.models import (
    Figure,
    FiscalYear,
    NarrativeBlock,
    PublishedTotal,
    Release,
    YearLocked,
)
from tests.importing.helpers import long_csv
from units.models import Unit

ROW = ["ICE", "file-intakes", "2023-24", "Q1", "", "700", ""]


def records() -> str:
    """Everything a published year's page is built from, as one text."""
    figures = list(
        Figure.objects.order_by("pk").values_list("pk", "value", "note", "public_note", "version")
    )
    texts = list(NarrativeBlock.objects.order_by("pk").values_list("pk", "title", "body"))
    totals = list(PublishedTotal.objects.order_by("pk").values_list("pk", "value", "note"))
    years = list(FiscalYear.objects.order_by("pk").values_list("pk", "label", "status"))
    releases = list(Release.objects.order_by("pk").values_list("pk", "sha256"))
    return json.dumps([figures, texts, totals, years, releases], default=str)


def intakes() -> Figure:
    return Figure.objects.with_keys().get(
        metric__unit__code="ICE",
        metric__code="file-intakes",
        period__fiscal_year__label="2023-24",
        period__period="Q1",
        region=None,
    )


def grid(user, client):
    unit, year = Unit.objects.get(code="ICE"), FiscalYear.objects.get(label="2023-24")
    url = reverse("admin:reporting_figure_grid", args=[unit.pk, year.pk])
    cells = {cell.name: cell.raw for cell in entry_grid.build_grid(unit, year).cells}
    figure = intakes()
    cells[f"v-{figure.metric_id}-Q1"] = "700"
    return client.post(url, cells, follow=True).content.decode()


def admin_figure_form(user, client):
    figure = intakes()
    url = reverse("admin:reporting_figure_change", args=[figure.pk])
    response = client.post(url, {"value": "700", "version": figure.version})
    return response.status_code == 403 or "Prepare a correction" in response.content.decode()


def admin_figure_delete(user, client):
    url = reverse("admin:reporting_figure_delete", args=[intakes().pk])
    return client.post(url, {"post": "yes"}).status_code == 403


def admin_narrative_form(user, client):
    block = NarrativeBlock.objects.get(unit__code="ICE", key="feature")
    url = reverse("admin:reporting_narrativeblock_change", args=[block.pk])
    data = {
        "fiscal_year": block.fiscal_year_id,
        "unit": block.unit_id,
        "key": block.key,
        "kind": block.kind,
        "placement": block.placement,
        "display_order": block.display_order,
        "title": "Rewritten",
        "body": block.body,
    }
    response = client.post(url, data)
    return response.status_code == 403 or "Prepare a correction" in response.content.decode()


def published_total_service(user, client):
    total = PublishedTotal.objects.filter(fiscal_year__label="2023-24").first()
    total.value += 1
    with pytest.raises(YearLocked, match="Prepare a correction"):
        services.save_year_text(record=total, user=user)
    with pytest.raises(YearLocked, match="Prepare a correction"):
        services.delete_year_text(record=total, user=user)
    return True


def narrative_service(user, client):
    block = NarrativeBlock.objects.get(unit__code="ICE", key="feature")
    block.title = "Rewritten"
    with pytest.raises(YearLocked, match="Prepare a correction"):
        services.save_year_text(record=block, user=user)
    return True


def import_file_service(user, client):
    outcome = services.import_file(
        content=long_csv(ROW), file_name="q.csv", user=user, source="admin"
    )
    return not outcome.written and "Prepare a correction" in " ".join(outcome.problems)


def import_command(user, client):
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "q.csv"
    path.write_bytes(long_csv(ROW))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "import_values", str(path), "--user", user.get_username(), stdout=out, stderr=err
        )
    return "Prepare a correction" in out.getvalue() + err.getvalue() + str(refused.value)


def api_patch(user, client):
    api = APIClient()
    api.force_authenticate(user)
    response = api.patch(
        reverse("api:figure-detail", args=[intakes().pk]), {"value": "700"}, format="json"
    )
    return response.status_code == 409 and "Prepare a correction" in response.content.decode()


def api_create(user, client):
    figure = intakes()
    api = APIClient()
    api.force_authenticate(user)
    services_delete = Figure.objects.filter(pk=figure.pk)
    assert services_delete.exists()
    response = api.post(
        reverse("api:figure-list"),
        {
            "unit": "ICE",
            "metric": "file-intakes",
            "fiscal_year": "2023-24",
            "period": "Q1",
            "value": "700",
        },
        format="json",
    )
    return response.status_code in (409, 400)


def api_delete(user, client):
    api = APIClient()
    api.force_authenticate(user)
    response = api.delete(reverse("api:figure-detail", args=[intakes().pk]))
    return response.status_code == 409


def api_bulk(user, client):
    api = APIClient()
    api.force_authenticate(user)
    row = dict(
        zip(["unit", "metric", "fiscal_year", "period", "region", "value"], ROW, strict=False)
    )
    response = api.post(reverse("api:figure-bulk"), [row], format="json")
    return response.status_code == 409 and "Prepare a correction" in response.content.decode()


def years_import(user, client):
    import tablib

    from reporting.resources import FiscalYearResource

    rows = tablib.Dataset(headers=["label", "status"])
    rows.append(["2023-24", "open"])
    FiscalYearResource().import_data(rows, raise_errors=False)
    return FiscalYear.objects.get(label="2023-24").is_locked


PATHS = {
    "entry grid": lambda user, client: "Prepare a correction" in grid(user, client),
    "admin figure form": admin_figure_form,
    "admin figure delete": admin_figure_delete,
    "admin narrative form": admin_narrative_form,
    "narrative service": narrative_service,
    "published totals": published_total_service,
    "admin and API import pipeline": import_file_service,
    "import_values command": import_command,
    "API change": api_patch,
    "API create": api_create,
    "API delete": api_delete,
    "API bulk upsert": api_bulk,
    "years' import": years_import,
}


@pytest.mark.parametrize("who", ["clerk", "administrator"])
@pytest.mark.parametrize("path", list(PATHS))
def test_a_published_year_refuses_every_write(path, who, request, client, published_year):
    user = request.getfixturevalue(who)
    client.force_login(user)
    before = records()
    assert PATHS[path](user, client), f"{path} was not refused with its message for {who}"
    assert records() == before, f"{path} changed a published year for {who}"
