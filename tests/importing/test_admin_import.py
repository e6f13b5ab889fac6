"""The admin's import: our readers, the pipeline's preview, confirm, storage, permissions."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from alert.uploads.models import HeldUpload
from reporting.exporting import export_report_workbook
from reporting.importing.longform import COLUMNS
from reporting.models import Figure, ImportBatch
from tests.html_tables import read_tables
from tests.importing.helpers import long_csv, long_xlsx, record

IMPORT = "admin:reporting_figure_import"
CONFIRM = "admin:reporting_figure_process_import"
CANCEL = "admin:reporting_figure_import_cancel"
FORMAT = {"csv": "0", "xlsx": "1", "json": "2"}


pytestmark = pytest.mark.usefixtures("media")


def held_uploads(media=None) -> list[str]:
    """The uploads held between preview and confirm (in the database)."""
    return sorted(HeldUpload.objects.values_list("name", flat=True))


def upload(client, content: bytes, name: str, fmt: str | None = None, url=IMPORT):
    handle = io.BytesIO(content)
    handle.name = name
    return client.post(
        reverse(url), {"import_file": handle, "format": FORMAT[fmt or name.rsplit(".")[-1]]}
    )


def confirm(client, preview, url=CONFIRM):
    form = preview.context["confirm_form"]
    return client.post(reverse(url), {f.name: f.value() for f in form})


def edited_report(change: dict[tuple[str, str], object]) -> bytes:
    book = load_workbook(io.BytesIO(export_report_workbook("2023-24")))
    for (sheet, cell), value in change.items():
        book[sheet][cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_preview_shows_every_problem_at_once_and_writes_nothing(client, clerk, dataset, media):
    client.force_login(clerk)
    before = record()
    content = long_csv(
        ["ICE", "file-intakes", "2023-24", "Q5", "", "12", ""],
        ["ICEE", "file-intakes", "2023-24", "Q1", "", "12", ""],
        ["ICE", "file-intakes", "2023-24", "Q1", "", "twelve", ""],
    )
    response = upload(client, content, "bad.csv")
    assert response.status_code == 200
    page = response.content.decode()
    assert "“Q5” is not a period" in page
    assert "There is no unit “ICEE”. Did you mean “ICE”?" in page
    rejected = read_tables(page)["rejected-rows"].body()
    assert rejected["row 4"][0].text.startswith("column “value”: “twelve” is not a number")
    assert '<a href="#row-4">row 4</a>' in page  # the summary links to the row
    assert "confirm_form" not in response.context or not response.context["confirm_form"]
    assert record() == before
    assert held_uploads(media) == []  # a rejected preview keeps nothing


def test_clerk_changes_one_figure_in_the_report_workbook_and_confirms(
    client, clerk, dataset, media
):
    client.force_login(clerk)
    sheet = load_workbook(io.BytesIO(export_report_workbook("2023-24")))["ICE"]
    assert (sheet["A4"].value, sheet["D4"].value) == ("Metric", "Q3")
    assert (sheet["A5"].value, sheet["D5"].value) == ("File intakes", 1149)
    content = edited_report({("ICE", "D5"): 1150})

    preview = upload(client, content, "ALERT 2023-24.xlsx")
    result = preview.context["result"]
    assert result.outcome.counts["update"] == 1
    assert result.outcome.counts["new"] == 0
    assert "Preview: 0 new, 1 updated" in preview.content.decode()
    assert "1,149 → 1,150" in preview.content.decode()
    assert len(held_uploads(media)) == 1
    assert Figure.objects.get(metric__code="file-intakes", period__period="Q3").value == 1149

    response = confirm(client, preview)
    assert response.status_code == 302
    figure = Figure.objects.get(
        metric__unit__code="ICE", metric__code="file-intakes", period__period="Q3", region=None
    )
    assert figure.value == 1150
    batch = figure.import_batch
    assert (batch.file_name, batch.layout, batch.status, batch.user) == (
        "ALERT 2023-24.xlsx",
        "report",
        ImportBatch.Status.CONFIRMED,
        clerk,
    )
    assert batch.updated == 1 and batch.unchanged == 158
    latest = figure.history.latest()
    assert latest.history_user == clerk
    assert latest.history_change_reason == f"import #{batch.pk}: ALERT 2023-24.xlsx"
    assert held_uploads(media) == []  # removed after confirm


def test_cancel_removes_the_held_file_and_writes_nothing(client, clerk, dataset, media):
    client.force_login(clerk)
    before = record()
    preview = upload(client, edited_report({("ICE", "D5"): 810}), "edit.xlsx")
    assert len(held_uploads(media)) == 1
    form = preview.context["confirm_form"]
    response = client.post(reverse(CANCEL), {f.name: f.value() for f in form})
    assert response.status_code == 302
    assert held_uploads(media) == []
    assert record() == before


def test_only_who_previewed_a_file_confirms_or_cancels_it(
    client, clerk, administrator, dataset, media
):
    """A held upload's name travels in a form; another user who learns it
    (even an administrator, who may import) neither confirms nor cancels it."""
    client.force_login(clerk)
    before = record()
    preview = upload(client, edited_report({("ICE", "D5"): 1150}), "edit.xlsx")
    fields = {f.name: f.value() for f in preview.context["confirm_form"]}

    client.force_login(administrator)
    for url in (CONFIRM, CANCEL):
        response = client.post(reverse(url), fields, follow=True)
        assert "This preview was made by another user" in response.content.decode()
        assert "Nothing was written" in response.content.decode()
    assert record() == before
    assert len(held_uploads(media)) == 1  # still the clerk's to confirm

    client.force_login(clerk)
    assert client.post(reverse(CONFIRM), fields).status_code == 302
    assert Figure.objects.get(metric__code="file-intakes", period__period="Q3").value == 1150
    assert held_uploads(media) == []


def test_upload_is_held_in_the_database_not_a_process_or_host_folder(client, clerk, dataset, media):
    client.force_login(clerk)
    content = edited_report({("ICE", "D5"): 810})
    preview = upload(client, content, "edit.xlsx")
    name = preview.context["confirm_form"]["import_file_name"].value()
    held = HeldUpload.objects.get(name=name)
    assert (bytes(held.content), held.size, held.owner) == (content, len(content), clerk)
    assert not (media / "django-import-export").exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_long_form_imports_in_every_format_through_the_admin(client, clerk, catalogue, fmt):
    client.force_login(clerk)
    rows = [["ICE", "file-intakes", "2023-24", "Q1", "", "680", "from the admin"]]
    if fmt == "csv":
        content = long_csv(*rows)
    elif fmt == "xlsx":
        content = long_xlsx(*rows)
    else:
        content = (
            b'[{"unit": "ICE", "metric": "file-intakes", "fiscal_year": "2023-24", '
            b'"period": "Q1", "region": "", "value": 680, "note": "from the admin"}]'
        )
    preview = upload(client, content, f"figures.{fmt}")
    assert preview.context["result"].outcome.counts["new"] == 1
    confirm(client, preview)
    figure = Figure.objects.get()
    assert (figure.value, figure.note, figure.import_batch.file_format) == (
        680,
        "from the admin",
        fmt,
    )


def test_unreadable_file_is_one_clear_error(client, clerk, dataset, media):
    client.force_login(clerk)
    before = record()
    response = upload(client, b"PK\x03\x04 not really a zip", "figures.xlsx")
    assert "is not a readable XLSX workbook" in response.content.decode()
    assert record() == before


def test_file_over_the_size_limit_is_refused_before_reading(client, clerk, dataset, settings):
    settings.ALERT_IMPORT_MAX_BYTES = 100
    client.force_login(clerk)
    batches = ImportBatch.objects.count()
    response = upload(
        client, long_csv(*[["ICE", "file-intakes", "2023-24", "Q1", "", "1", ""]] * 10), "big.csv"
    )
    assert "the limit is 100" in response.content.decode()
    assert ImportBatch.objects.count() == batches


@pytest.mark.parametrize("who", ["leader", "outsider"])
def test_only_data_entry_and_administrators_import_figures(client, request, dataset, who):
    client.force_login(request.getfixturevalue(who))
    before = record()
    assert client.get(reverse(IMPORT)).status_code == 403
    content = long_csv(["ICE", "file-intakes", "2023-24", "Q1", "", "1", ""])
    assert upload(client, content, "x.csv").status_code == 403
    assert (
        client.post(
            reverse(CONFIRM),
            {"import_file_name": "x", "original_file_name": "x.csv", "format": "0"},
        ).status_code
        == 403
    )
    assert record() == before


@pytest.mark.parametrize(
    "model", ["units_unit", "units_metric", "units_region", "reporting_fiscalyear"]
)
def test_only_administrators_import_the_catalogue(
    client, clerk, leader, administrator, dataset, model
):
    for user in (clerk, leader):
        client.force_login(user)
        assert client.get(reverse(f"admin:{model}_import")).status_code == 403
    client.force_login(administrator)
    assert client.get(reverse(f"admin:{model}_import")).status_code == 200


def test_administrator_sets_up_a_new_year_and_region_from_files(client, administrator, dataset):
    from reporting.models import FiscalYear, ReportingPeriod
    from units.models import Region

    client.force_login(administrator)
    preview = upload(
        client,
        b"label,status\r\n2024-25,locked\r\n",
        "years.csv",
        url="admin:reporting_fiscalyear_import",
    )
    confirm(client, preview, "admin:reporting_fiscalyear_process_import")
    year = FiscalYear.objects.get(label="2024-25")
    assert year.status == FiscalYear.Status.OPEN  # locking is never done by a file
    assert ReportingPeriod.objects.filter(fiscal_year=year).count() == 5

    preview = upload(
        client,
        b"name,display_order\r\nBanff,99\r\n",
        "regions.csv",
        url="admin:units_region_import",
    )
    confirm(client, preview, "admin:units_region_process_import")
    assert Region.objects.filter(name="Banff").exists()


def test_a_catalogue_json_file_is_read_by_its_own_keys(client, administrator, dataset):
    from units.models import Region

    client.force_login(administrator)
    preview = upload(
        client,
        b'[{"name": "Banff", "display_order": 99}]',
        "regions.json",
        url="admin:units_region_import",
    )
    assert "not one of ours" not in preview.content.decode()
    confirm(client, preview, "admin:units_region_process_import")
    assert Region.objects.get(name="Banff").display_order == 99


def test_unknown_unit_in_a_metrics_file_is_a_field_error_with_a_suggestion(
    client, administrator, dataset
):
    client.force_login(administrator)
    content = b"unit,code,label,value_type,display_order\r\nCFSUE,new-metric,New,count,99\r\n"
    response = upload(client, content, "metrics.csv", url="admin:units_metric_import")
    page = response.content.decode()
    assert "There is no unit “CFSUE”. Did you mean “CFSEU”?" in page
    assert "Traceback" not in page


def test_admin_export_applies_the_changelist_filters_and_escapes(client, leader, dataset):
    from reporting.models import FiscalYear

    client.force_login(leader)
    url = reverse("admin:reporting_figure_export")
    year = FiscalYear.objects.get(label="2023-24")
    response = client.post(
        url
        + f"?metric__unit__id__exact={Figure.objects.filter(metric__unit__code='CISA').first().metric.unit_id}&period__fiscal_year__id__exact={year.pk}",
        {
            "format": "1",
            "resource": "0",
            **{f"figureresource_{c}": "on" for c in COLUMNS},
        },
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows and {r[0] for r in rows} == {"CISA"}
    assert all(isinstance(r[5], int | float) for r in rows)


def test_import_batch_is_browsable_read_only_and_links_to_its_figures(
    client, administrator, clerk, dataset
):
    client.force_login(clerk)
    preview = upload(client, edited_report({("ICE", "D5"): 810}), "edit.xlsx")
    confirm(client, preview)
    batch = ImportBatch.objects.get(status=ImportBatch.Status.CONFIRMED, file_name="edit.xlsx")
    client.force_login(administrator)
    page = client.get(
        reverse("admin:reporting_importbatch_change", args=[batch.pk])
    ).content.decode()
    assert "edit.xlsx" in page and batch.checksum in page
    link = f"{reverse('admin:reporting_figure_changelist')}?import_batch__id__exact={batch.pk}"
    assert link.replace("&", "&amp;") in page
    listing = client.get(link)
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1
    assert (
        client.post(reverse("admin:reporting_importbatch_delete", args=[batch.pk])).status_code
        == 403
    )


def test_report_workbook_downloads_from_the_admin_for_those_who_may_export(
    client, clerk, outsider, dataset
):
    url = reverse("admin:reporting_figure_report_workbook")
    client.force_login(clerk)
    listing = client.get(url)
    assert "ALERT results 2023-24.xlsx" in listing.content.decode()
    assert url in client.get(reverse("admin:reporting_figure_changelist")).content.decode()
    response = client.get(url, {"fiscal_year": "2023-24"})
    assert response["Content-Disposition"] == 'attachment; filename="ALERT results 2023-24.xlsx"'
    assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == "ICE"
    assert client.get(url, {"fiscal_year": "1999-00"}).status_code == 404
    client.force_login(outsider)
    assert client.get(url, {"fiscal_year": "2023-24"}).status_code == 403


def test_preview_lists_sheet_problems_and_row_problems_together(client, clerk, dataset, media):
    client.force_login(clerk)
    before = record()
    book = load_workbook(io.BytesIO(export_report_workbook("2023-24")))
    book["ICE"]["D5"] = "lots"
    book["ICE"]["G5"] = 1
    out = io.BytesIO()
    book.save(out)
    page = upload(client, out.getvalue(), "edit.xlsx").content.decode()
    assert "sheet “ICE”, row 5, column “2022-23”: the prior years are shown" in page
    rejected = read_tables(page)["rejected-rows"].body()
    assert rejected["sheet “ICE”, row 5"][0].text.startswith("column “Q3”: “lots” is not a number")
    assert "Confirm import" not in page
    assert record() == before


def test_abandoned_previews_older_than_a_day_are_swept(client, clerk, dataset, media):
    two_days_ago = timezone.now() - datetime.timedelta(days=2)
    HeldUpload.objects.create(name="abandoned", content=b"x", size=1, created_at=two_days_ago)
    HeldUpload.objects.create(name="in-progress", content=b"y", size=1)
    client.force_login(clerk)
    upload(client, long_csv(["ICE", "file-intakes", "2023-24", "Q1", "", "x", ""]), "bad.csv")
    assert held_uploads(media) == ["in-progress"]


def test_sweep_command_deletes_only_abandoned_held_uploads(db):
    two_days_ago = timezone.now() - datetime.timedelta(days=2)
    HeldUpload.objects.create(name="abandoned", content=b"x", size=1, created_at=two_days_ago)
    HeldUpload.objects.create(name="in-progress", content=b"y", size=1)
    out = io.StringIO()
    call_command("sweep_held_uploads", stdout=out)
    assert held_uploads() == ["in-progress"]
    assert "Deleted 1 abandoned" in out.getvalue()
