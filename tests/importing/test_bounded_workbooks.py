"""Every workbook has a budget it cannot exceed, whatever its shape (issue 20).

The hostile shapes of tests/importing/hostile.py, each at the size that was
measured (seconds to minutes, hundreds of MB) before the archive was counted
element by element: each is refused naming the limit it passed."""

import io
import zipfile

import pytest

from reporting.models import ImportBatch
from reporting.services import import_file
from tabular.readers import UnreadableFile, read_sheets
from tabular.xlsx import LIMITS, check_workbook
from tests.importing import hostile


@pytest.mark.parametrize("name", sorted(hostile.WORKBOOKS))
def test_hostile_workbook_is_refused_naming_the_limit(name):
    content = hostile.WORKBOOKS[name]()
    with pytest.raises(UnreadableFile) as refusal:
        read_sheets(content, name, "xlsx")
    message = str(refusal.value)
    assert hostile.REFUSED_FOR[name] in message
    assert "at most" in message  # the limit, beside what the file held


def test_cells_are_counted_whatever_their_spelling():
    # <c/>, <c\tr=...>, <x:c>: each is one cell to the check, as to openpyxl.
    for build in (hostile.empty_cells, hostile.tab_spaced_cells, hostile.prefixed_cells):
        shape = check_workbook(build(scale=0.01), "small.xlsx")
        assert shape.counts["c"] > 1000


def test_sheet_stored_outside_the_worksheets_folder_is_counted_and_read():
    content = hostile.tab_spaced_cells(scale=0.0025, sheet_part="xl/data/s1.xml")
    assert "xl/data/s1.xml" in zipfile.ZipFile(io.BytesIO(content)).namelist()
    shape = check_workbook(content, "elsewhere.xlsx")
    assert shape.sheets["Figures"].part == "xl/data/s1.xml"
    assert shape.counts["c"] == 14 + 7 * 250  # the headings, a figure, 250 rows of 7
    (sheet,) = read_sheets(content, "elsewhere.xlsx", "xlsx")
    assert len(sheet.rows) == 2 + 250


def test_cap_on_cells_names_the_sheet_and_what_it_held(monkeypatch):
    monkeypatch.setitem(LIMITS, "c", (100, "cells (filled or only formatted)"))
    with pytest.raises(UnreadableFile) as refusal:
        check_workbook(hostile.empty_cells(scale=0.01), "many.xlsx")
    assert str(refusal.value).startswith(
        "Sheet “Figures”: the workbook holds more than 100 cells (filled or only formatted) "
        "(the XML element “c”); one import reads at most 100."
    )


def test_workbook_declaring_an_entity_is_refused_as_damaged():
    sheet = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row><c t="inlineStr"><is><t>&a;</t></is></c></row></sheetData></worksheet>'
    )
    with pytest.raises(UnreadableFile, match="not a readable XLSX workbook"):
        read_sheets(hostile.workbook(sheet), "entity.xlsx", "xlsx")


def test_valid_workbook_under_the_caps_is_read_whole():
    (sheet,) = read_sheets(hostile.valid_workbook(rows=500), "valid.xlsx", "xlsx")
    assert sheet.rows[0] == list(hostile.HEADINGS)
    assert len(sheet.rows) == 501
    assert sheet.rows[500] == ["ICE", "file-intakes", "2023-24", "Q1", "Q2", 499, "a note"]


def test_hostile_workbook_through_the_pipeline_is_rejected_and_writes_nothing(catalogue):
    outcome = import_file(
        content=hostile.empty_styled_rows(),
        file_name="rows.xlsx",
        source=ImportBatch.Source.COMMAND,
    )
    assert not outcome.written and outcome.batch.status == ImportBatch.Status.REJECTED
    (problem,) = outcome.problems
    assert "more than 100,000 rows" in problem
