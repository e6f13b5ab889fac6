"""The library's known traps (STACK-NOTES), each handled."""

import io

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import Workbook

from reporting.importing.longform import COLUMNS
from reporting.models import Figure
from reporting.services import import_file
from tests.importing.helpers import long_csv, record
from tests.importing.test_admin_import import upload
from units.models import Region, Unit

GOOD = ["ICE", "file-intakes", "2023-24", "Q1", "", "680", ""]


def test_import_and_export_permission_codes_are_set():
    assert settings.IMPORT_EXPORT_IMPORT_PERMISSION_CODE == "add"
    assert settings.IMPORT_EXPORT_EXPORT_PERMISSION_CODE == "view"


def test_staff_without_permission_cannot_import_or_export(client, outsider, dataset):
    client.force_login(outsider)
    assert client.get(reverse("admin:reporting_figure_import")).status_code == 403
    assert client.get(reverse("admin:reporting_figure_export")).status_code == 403


def test_bulk_writes_keep_the_history_with_user_and_file(catalogue, clerk):
    outcome = import_file(content=long_csv(GOOD), file_name="q1.csv", user=clerk)
    figure = Figure.objects.get()
    (entry,) = figure.history.all()
    assert entry.history_type == "+"
    assert entry.history_user == clerk
    assert entry.history_change_reason == f"import #{outcome.batch.pk}: q1.csv"
    assert entry.import_batch_id == outcome.batch.pk


def test_bad_number_is_a_field_message_never_a_traceback(
    client, clerk, dataset, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(clerk)
    page = upload(
        client, long_csv(["ICE", "file-intakes", "2023-24", "Q1", "", "1,2,3", ""]), "x.csv"
    ).content.decode()
    assert "Traceback" not in page and "InvalidOperation" not in page
    assert '<th scope="row">row 2</th>' in page


def test_catalogue_whole_number_is_not_truncated(
    client, administrator, dataset, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(administrator)
    page = upload(
        client,
        b"name,display_order\r\nBanff,12.5\r\n",
        "regions.csv",
        url="admin:units_region_import",
    ).content.decode()
    assert "“12.5” is not a whole number" in page
    assert "confirm_form" not in page
    assert not Region.objects.filter(name="Banff").exists()


def test_extra_decimal_places_are_refused_not_rounded(catalogue):
    before = record()
    outcome = import_file(
        content=long_csv(["CFSEU", "est-value-of-drugs-seized", "2023-24", "FY", "", "12.345", ""]),
        file_name="x.csv",
    )
    assert outcome.has_errors and record() == before
    assert "cent" in outcome.problems[0]


def test_duplicate_keys_in_a_catalogue_file_are_named(
    client, administrator, dataset, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(administrator)
    content = b"code,name,program,team,description,display_order,active\r\nZZ,One,P,T,D,1,true\r\nzz,Two,P,T,D,2,true\r\n"
    page = upload(client, content, "units.csv", url="admin:units_unit_import").content.decode()
    assert (
        "Rows 2 and 3 both describe code “zz”" in page or "Rows 2 and 3 both describe code" in page
    )
    assert not Unit.objects.filter(code__iexact="zz").exists()


def test_every_sheet_of_a_long_form_workbook_is_read(catalogue):
    book = Workbook()
    first = book.active
    first.title = "Q1"
    first.append(list(COLUMNS))
    first.append(GOOD)
    second = book.create_sheet("Q2")
    second.append(list(COLUMNS))
    second.append(["ICE", "file-intakes", "2023-24", "Q2", "", "lots", ""])
    out = io.BytesIO()
    book.save(out)
    outcome = import_file(content=out.getvalue(), file_name="two sheets.xlsx")
    assert outcome.problems == [
        "sheet “Q2”, row 2, column “value”: “lots” is not a number. Write digits only, for example 1234 or $1,234."
    ]


@pytest.mark.parametrize("text", ["+1", "-1", "@x", "\tx", "\rx"])
def test_escaping_covers_more_than_a_leading_equals(text):
    from tabular.escaping import escape_cell

    assert escape_cell(text).startswith("'")
