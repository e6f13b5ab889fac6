"""A workbook as LibreOffice Calc saves it (formulas recalculated and cached,
its own styles and sheet XML) imports with exactly the one change made.

Needs LibreOffice's ``soffice``: without it the test skips with the reason,
unless ALERT_REQUIRE_LIBREOFFICE=1 (CI sets it and installs LibreOffice), in
which case a missing LibreOffice fails the run, as a missing browser does.
"""

import io
import subprocess

from openpyxl import load_workbook

from reporting.exporting import export_report_workbook
from reporting.models import Figure
from reporting.services import import_file


def through_libreoffice(soffice: str, content: bytes, tmp_path) -> bytes:
    source = tmp_path / "in.xlsx"
    source.write_bytes(content)
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(tmp_path / "out"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return (tmp_path / "out" / "in.xlsx").read_bytes()


def test_report_workbook_saved_by_libreoffice_with_one_change_is_one_update(
    soffice, dataset, tmp_path
):
    book = load_workbook(io.BytesIO(export_report_workbook("2023-24")))
    book["ICE"]["D5"] = 1150
    regions = book["Regions"]
    header = next(r for r in range(1, regions.max_row + 1) if regions.cell(r, 1).value == "Region")
    out = io.BytesIO()
    book.save(out)
    saved = through_libreoffice(soffice, out.getvalue(), tmp_path)

    cached = load_workbook(io.BytesIO(saved), data_only=True)["Regions"]
    total = next(r for r in range(header, cached.max_row + 1) if cached.cell(r, 1).value == "Total")
    assert isinstance(cached.cell(total, 2).value, int | float)  # LibreOffice computed the total

    outcome = import_file(content=saved, file_name="edited in LibreOffice.xlsx")
    assert outcome.problems == []
    assert outcome.counts["update"] == 1 and outcome.counts["new"] == 0
    assert (
        Figure.objects.get(
            metric__unit__code="ICE", metric__code="file-intakes", period__period="Q3", region=None
        ).value
        == 1150
    )
