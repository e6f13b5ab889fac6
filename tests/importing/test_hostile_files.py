"""Hostile and careless files (issue 10): each is refused with a message a
clerk can act on, or read correctly, in bounded memory; none changes the record."""

import csv
import io
import json
import re
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from alert.uploads.models import HeldUpload
from reporting.importing.longform import COLUMNS
from reporting.models import Figure, ImportBatch
from reporting.services import import_file
from tabular.readers import MAX_CELL_CHARS, MAX_COLUMNS, UnreadableFile, read_sheets
from tabular.xlsx import LIMITS
from tests.html_tables import read_tables
from tests.importing.helpers import long_csv, long_xlsx, record

GOOD = ["ICE", "file-intakes", "2023-24", "Q1", "", "680", "from a hostile file", ""]
GOOD_ITEM = dict(zip(COLUMNS, GOOD, strict=True))
IMPORT = "admin:reporting_figure_import"


def refused(content: bytes, name: str) -> list[str]:
    before = record()
    outcome = import_file(content=content, file_name=name, source=ImportBatch.Source.COMMAND)
    assert outcome.has_errors and not outcome.written
    assert outcome.batch.status == ImportBatch.Status.REJECTED
    assert record() == before
    return outcome.problems


def previewed_within(content: bytes, name: str, megabytes: int):
    """A dry run, its peak Python allocation bounded; nothing is written."""
    before = record()
    tracemalloc.start()
    try:
        outcome = import_file(
            content=content, file_name=name, dry_run=True, source=ImportBatch.Source.COMMAND
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < megabytes * 1_048_576, f"{peak / 1_048_576:.0f} MiB"
    assert record() == before
    return outcome


def with_sheet_xml(content: bytes, change) -> bytes:
    """The workbook with its first sheet's XML rewritten by ``change``."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode()).encode()
            target.writestr(info, data)
    return out.getvalue()


def test_small_workbook_declaring_a_huge_sheet_is_read_as_the_cells_it_holds(catalogue):
    content = with_sheet_xml(
        long_xlsx(GOOD),
        lambda xml: re.sub(r'<dimension ref="[^"]+"', '<dimension ref="A1:XFD20000"', xml),
    )
    assert len(content) < 10_000 and b"XFD20000" in zipfile.ZipFile(io.BytesIO(content)).read(
        "xl/worksheets/sheet1.xml"
    )
    # Before: every row padded to 16,384 cells, 20,000 rows (2.6 GB in a worker).
    outcome = previewed_within(content, "declares XFD20000.xlsx", megabytes=30)
    assert outcome.problems == [] and outcome.counts["new"] == 1


def test_workbook_with_one_cell_far_away_reads_only_the_columns_a_layout_holds(catalogue):
    def far_cell(xml: str) -> str:
        far = '<row r="20000"><c r="XFD20000" t="inlineStr"><is><t>far</t></is></c></row>'
        return xml.replace("</sheetData>", far + "</sheetData>")

    content = with_sheet_xml(long_xlsx(GOOD), far_cell)
    outcome = previewed_within(content, "far cell.xlsx", megabytes=30)
    assert outcome.problems == [] and outcome.counts["new"] == 1


def test_value_far_below_the_table_is_refused_naming_its_row(catalogue, settings):
    settings.ALERT_IMPORT_MAX_ROWS = 1_000
    book = long_xlsx(GOOD)
    content = with_sheet_xml(
        book,
        lambda xml: xml.replace(
            "</sheetData>", '<row r="900000"><c r="A900000"><v>1</v></c></row></sheetData>'
        ),
    )
    (problem,) = refused(content, "stray.xlsx")
    assert problem.startswith("Sheet “Sheet” has something in row 900,000")
    assert "at most 1,000 rows" in problem and "Delete the rows below your table" in problem


def test_table_wider_than_any_layout_is_refused(catalogue):
    row = GOOD + [""] * (MAX_COLUMNS - len(GOOD)) + ["stray"]
    (problem,) = refused(long_xlsx(row), "wide.xlsx")
    assert problem.startswith(
        f"Sheet “Sheet”, row 2, column AY: the row has something in its column {MAX_COLUMNS + 1}"
    )
    assert f"at most {MAX_COLUMNS} columns" in problem


def test_json_with_twenty_thousand_distinct_keys_is_refused_at_the_first_unknown_one(catalogue):
    items = [GOOD_ITEM]
    items += [{f"key{n}": n} for n in range(20_000)]
    content = json.dumps(items).encode()
    assert 200_000 < len(content) < 400_000
    # Before: 49 s and 3.2 GB collecting the headings quadratically.
    (problem,) = refused(content, "keys.json")
    assert problem.startswith("Item 2 has the key “key0”, which is not one of ours: unit, metric")


def test_json_read_without_known_keys_stops_at_the_column_limit():
    """The catalogue's files name no fixed keys: each key is a column as it
    comes, and 20,000 distinct ones are refused at the first past the limit."""
    content = json.dumps([{f"key{n}": n} for n in range(20_000)]).encode()
    with pytest.raises(UnreadableFile) as refusal:
        read_sheets(content, "keys.json", "json")
    assert str(refusal.value).startswith(f"Item {MAX_COLUMNS + 1:,} has the key “key{MAX_COLUMNS}”")
    (sheet,) = read_sheets(
        b'[{"Name": "Banff"}, {"name": "Jasper", "display order": 2}]', "r", "json"
    )
    assert sheet.rows == [["name", "display_order"], ["Banff"], ["Jasper", 2]]


def test_json_key_misspelt_is_refused_with_the_closest_known_one(catalogue):
    item = {("regoin" if key == "region" else key): value for key, value in GOOD_ITEM.items()}
    (problem,) = refused(json.dumps([item]).encode(), "typo.json")
    assert "“regoin”" in problem and "Did you mean “region”?" in problem


def test_json_nested_a_thousand_deep_is_refused_in_plain_words(catalogue):
    (problem,) = refused(b"[" * 1000 + b"]" * 1000, "deep.json")
    assert problem.startswith("“deep.json”: The JSON is nested too deeply")
    assert "at most 10 levels" in problem
    # Inside an object, deep enough for every Python's decoder to stop (3.12
    # and newer decode 1,000 levels there, and the value is then refused as a list).
    inside = b'[{"unit": "ICE", "value": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]"
    (problem,) = refused(inside, "deep value.json")
    assert "nested too deeply" in problem and "at most 10 levels" in problem


def test_json_value_that_is_a_list_is_refused_naming_the_item_and_key(catalogue):
    item = {**GOOD_ITEM, "value": [680]}
    (problem,) = refused(json.dumps([item]).encode(), "list.json")
    assert problem == "Item 1, key “value”: the value is a list; it must be text or a number."


def test_json_keeps_every_cent_of_the_largest_figure(catalogue):
    def cents(value: bytes) -> bytes:
        return (
            b'[{"unit": "CFSEU", "metric": "est-value-of-drugs-seized", "fiscal_year": "2023-24",'
            b' "period": "FY", "region": "", "value": ' + value + b"}]"
        )

    outcome = import_file(content=cents(b"9999999999999.99"), file_name="cents.json")
    assert outcome.written
    assert str(outcome.rows[0].value) == "9999999999999.99"
    # One digit more than any figure holds: refused, quoted to the cent (a
    # float would have read it as ...98).
    (problem,) = refused(cents(b"99999999999999.99"), "too large.json")
    assert "99999999999999.99 is larger than any figure" in problem


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_utf16_file_is_refused_saying_how_to_save_it(catalogue, encoding, fmt):
    if fmt == "csv":
        content = long_csv(GOOD, encoding=encoding)
    else:
        content = json.dumps([GOOD_ITEM]).encode(encoding)
    (problem,) = refused(content, f"unicode.{fmt}")
    assert "is saved as UTF-16" in problem
    assert "Save it again as “CSV UTF-8 (Comma delimited)”" in problem


def test_over_long_cell_is_refused_naming_its_row_and_column(catalogue):
    long_note = GOOD[:6] + ["x" * (MAX_CELL_CHARS + 1)]
    (problem,) = refused(long_csv(GOOD, long_note), "long note.csv")
    assert problem.startswith(
        f"Row 3, column 7 (“note”): the cell holds {MAX_CELL_CHARS + 1:,} characters; a cell may "
        f"hold at most {MAX_CELL_CHARS:,}. Shorten it"
    )
    (problem,) = refused(long_xlsx(GOOD, long_note), "long note.xlsx")
    assert problem.startswith("Sheet “Sheet”, row 3, column G (“note”): the cell holds")


def test_quotation_mark_never_closed_is_refused_naming_the_row(catalogue):
    content = long_csv(GOOD) + b'ICE,file-intakes,2023-24,Q2,,"12,\r\n' + b"x," * 100_000
    (problem,) = refused(content, "open quote.csv")
    assert problem.startswith("Row 3: a cell is longer than") or problem.startswith(
        "Row 3, column 6"
    )
    assert 'quotation mark (")' in problem


def test_more_rows_than_one_import_takes_are_refused(catalogue, settings):
    settings.ALERT_IMPORT_MAX_ROWS = 50
    (problem,) = refused(long_csv(*[GOOD] * 60), "many.csv")
    assert problem.startswith("Row 51, column 1 (“unit”): the file holds more than 50 rows")
    assert "Split it into smaller files" in problem


def test_upload_over_the_limit_is_dropped_as_it_arrives(client, clerk, catalogue, settings):
    settings.ALERT_IMPORT_MAX_BYTES = 1_000
    client.force_login(clerk)
    before, batches = record(), ImportBatch.objects.count()
    content = long_csv(*[GOOD] * 100)
    upload = SimpleUploadedFile("big.csv", content, content_type="text/csv")
    response = client.post(reverse(IMPORT), {"import_file": upload, "format": "0"})
    page = response.content.decode()
    # The real size, though only the first 1,000 bytes were ever kept.
    assert f"“big.csv” is {filesizeformat(len(content))}; the limit is 1000\xa0bytes." in page
    assert record() == before and ImportBatch.objects.count() == batches


def test_handler_keeps_no_more_than_the_limit(settings):
    from reporting.importing.uploads import OversizedUpload, SizeCappedUploadHandler

    settings.ALERT_IMPORT_MAX_BYTES = 10
    handler = SizeCappedUploadHandler()
    handler.new_file("import_file", "big.csv", "text/csv", 100)
    assert handler.receive_data_chunk(b"x" * 8, 0) == b"x" * 8
    assert handler.receive_data_chunk(b"x" * 8, 8) is None
    assert handler.receive_data_chunk(b"x" * 84, 16) is None
    kept = handler.file_complete(100)
    assert isinstance(kept, OversizedUpload) and kept.size == 100 and kept.read() == b""


def test_ten_megabyte_csv_of_bad_rows_gives_a_small_preview_and_every_problem_as_csv(
    client, clerk, catalogue, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    bad = ["ICE", "file-intakes", "2023-24", "Q1", "", "=HYPERLINK(1)", "a note to fill the row"]
    one = len(long_csv(bad)) - len(long_csv())
    path = tmp_path / "bad.csv"
    path.write_bytes(long_csv(*[bad] * ((9_900_000 - len(long_csv())) // one)))
    assert 9_800_000 < path.stat().st_size <= 9_900_000
    client.force_login(clerk)
    before = record()
    with path.open("rb") as handle:
        response = client.post(reverse(IMPORT), {"import_file": handle, "format": "0"})
    assert response.status_code == 200
    # Before: a 287 MB page. Now the first 100 problems and the count.
    assert len(response.content) < 200_000
    page = response.content.decode()
    rows = (path.stat().st_size - len(long_csv())) // one
    assert f"The file has <strong>{rows}</strong> problems in all" in page
    # Once in the summary by kind (one problem, many rows), then beside each listed row.
    assert page.count("is not a number") == 1 + 100
    assert len(read_tables(page)["rejected-rows"].body()) == 100
    assert record() == before
    link = re.search(r'<a href="([^"]+)" download>Download all', page).group(1)
    download = client.get(link)
    assert download["Content-Disposition"].startswith("attachment")
    problems = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert problems[0] == ["where", "column", "problem"]
    assert len(problems) == rows + 1
    assert problems[1][:2] == ["row 2", "value"]
    assert problems[1][2].startswith("“=HYPERLINK(1)” is not a number")


def test_problem_list_escapes_text_quoted_from_the_file():
    from reporting.admin.import_export import problems_csv

    content = problems_csv([("sheet “Regions”, row 7", '=HYPERLINK("x")', "+1 is wrong")])
    assert list(csv.reader(io.StringIO(content.decode()))) == [
        ["where", "column", "problem"],
        ["sheet “Regions”, row 7", '\'=HYPERLINK("x")', "'+1 is wrong"],
    ]


def test_problem_list_is_only_for_the_person_who_uploaded_it(
    client, clerk, administrator, catalogue
):
    held = HeldUpload.objects.create(name="a" * 32, content=long_csv(), size=1, owner=administrator)
    client.force_login(clerk)
    url = reverse("admin:reporting_figure_import_problems", args=[held.name])
    assert client.get(url).status_code == 404


def test_rejected_preview_stores_no_problem_list(client, clerk, catalogue):
    bad = ["ICE", "file-intakes", "2023-24", "Q1", "", "twelve", ""]
    rows = [bad[:3] + [period] + bad[4:] for period in ("Q1", "Q2", "Q3", "Q4", "FY")]
    client.force_login(clerk)
    upload = SimpleUploadedFile("bad.csv", long_csv(*rows * 30))
    response = client.post(reverse(IMPORT), {"import_file": upload, "format": "0"})
    assert "The file has <strong>" in response.content.decode()
    # The file itself stays held (its problems are made from it on demand),
    # until the person's next upload; no list of problems is stored beside it.
    (kept,) = HeldUpload.objects.all()
    assert kept.owner == clerk and kept.name.startswith("rejected-")
    assert f"/import/problems/{kept.name}/" in response.content.decode()
    upload = SimpleUploadedFile("bad again.csv", long_csv(*rows * 30))
    client.post(reverse(IMPORT), {"import_file": upload, "format": "0"})
    (again,) = HeldUpload.objects.all()
    assert again.name != kept.name and again.owner == clerk


def test_previews_a_person_holds_are_limited(client, clerk, catalogue, settings):
    settings.ALERT_IMPORT_MAX_HELD_PREVIEWS = 2
    client.force_login(clerk)
    for n in range(2):
        upload = SimpleUploadedFile(f"good{n}.csv", long_csv(GOOD))
        response = client.post(reverse(IMPORT), {"import_file": upload, "format": "0"})
        assert response.status_code == 200 and "confirm_form" in response.context
    upload = SimpleUploadedFile("third.csv", long_csv(GOOD))
    response = client.post(reverse(IMPORT), {"import_file": upload, "format": "0"}, follow=True)
    assert "You have 2 previews waiting (the most one person may hold is 2)" in (
        response.content.decode()
    )
    assert HeldUpload.objects.filter(owner=clerk).count() == 2


@pytest.mark.parametrize("note", ['"', ";'", 'he said "12"; then left'])
def test_note_with_quotation_marks_or_semicolons_is_kept_as_written(catalogue, note):
    # Found by test_file_properties: the delimiter sniffer took ";" for the
    # delimiter, or quotes for undoubled, and changed or refused such notes.
    outcome = import_file(content=long_csv(GOOD[:6] + [note]), file_name="notes.csv")
    assert outcome.problems == []
    assert outcome.written and Figure.objects.get().note == note


def test_workbook_with_more_cells_than_one_import_reads_is_refused_before_parsing(
    catalogue, monkeypatch
):
    monkeypatch.setitem(LIMITS, "c", (20, "cells (filled or only formatted)"))
    (problem,) = refused(long_xlsx(*[GOOD] * 3), "many cells.xlsx")
    # 4 rows (the headings and 3 figures) of 8 columns
    assert "holds more than 20 cells (filled or only formatted)" in problem
    assert "save it as CSV" in problem


def test_preview_of_many_changes_lists_the_first_and_counts_them_all(
    client, clerk, catalogue, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr("reporting.resources.PREVIEW_ROWS", 2)
    client.force_login(clerk)
    rows = [GOOD[:3] + [period] + GOOD[4:] for period in ("Q1", "Q2", "Q3")]
    upload = SimpleUploadedFile("three.csv", long_csv(*rows), content_type="text/csv")
    response = client.post(reverse(IMPORT), {"import_file": upload, "format": "0"})
    page = response.content.decode()
    assert "The table lists the first 2 of the 3 figures that would change" in page
    assert response.context["result"].totals["new"] == 3
