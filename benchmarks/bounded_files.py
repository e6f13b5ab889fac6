"""Bounded files (issues 10 and 20): any file up to the upload limit, valid or
hostile, is refused or previewed in bounded time and memory.

    .venv/bin/python benchmarks/bounded_files.py            # every case
    .venv/bin/python benchmarks/bounded_files.py --only far-cell.xlsx keys.json
    .venv/bin/python benchmarks/bounded_files.py --scale 0.01 --only valid-workbook.xlsx \
        issue20-empty-cells.xlsx                           # a quick check that it runs

Issue 20's hostile shapes come from tests/importing/hostile.py (the tests
build the same files): empty ``<c/>`` cells, 1.2 million cell formats, 3.5
million shared texts, ``<c\tr=...>`` cells (also in a sheet stored at
xl/data/s1.xml), prefixed ``<x:c>`` cells, 3 million empty styled rows, and
JSON nested 5,000 deep or giving a key twice. ``valid-workbook.xlsx`` is a
valid workbook of distinct figures just under the cap on cells.

The database named by DATABASE_URL (default: sqlite:////tmp/alert-bounded.sqlite3)
is migrated and EMPTIED: use a scratch one. Each file is built up to the
upload limit (ALERT_IMPORT_MAX_BYTES, 10 MB) in a temporary folder, then
sent to the admin's import preview (Django's test client, DEBUG off, an
administrator signed in) in a fresh Python process. That process measures its
own baseline after Django and the admin are loaded (one GET of the import
page), then the preview: wall time, the page's size, and the peak resident
set size (VmHWM) above the baseline's resident set size (VmRSS), from /proc. The valid 10 MB
file is previewed and then confirmed (imported), as a clerk would.

For the ratio, the 100,000-row import of benchmarks/import_benchmark.py (its
"ours, first import": reporting.services.import_file on its catalogue) runs in
a fresh process in the same run. Targets: every file refused or previewed
within 10 s and 300 MB above the baseline; the 10 MB valid file previewed and
imported within 3x the 100,000-row import's time.

The load average (os.getloadavg) is printed beside every figure: the machine
may be shared.
"""

import argparse
import gc
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 10 * 1024 * 1024
TARGET_SECONDS, TARGET_MIB, TARGET_RATIO = 10, 300, 3
HEADINGS = "unit,metric,fiscal_year,period,region,value,note"


def django_setup(database_url: str, media_root: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_MEDIA_ROOT"] = media_root
    os.environ["DJANGO_SETTINGS_MODULE"] = "alert.settings_test"
    os.environ["DJANGO_DEBUG"] = "0"  # DEBUG keeps every query in memory
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# Files ---------------------------------------------------------------------


def xlsx_with_sheet(sheet_xml: str | bytes) -> bytes:
    """A minimal workbook around one sheet's XML (what Excel needs, no more)."""
    if isinstance(sheet_xml, str):
        sheet_xml = sheet_xml.encode()
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Figures" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return out.getvalue()


def sheet_xml(rows_xml: str, dimension: str = "A1:G2") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{rows_xml}</sheetData></worksheet>'
    )


def row_xml(number: int, cells: list[str]) -> str:
    inline = "".join(
        f'<c r="{"ABCDEFG"[i]}{number}" t="inlineStr"><is><t>{cell}</t></is></c>'
        for i, cell in enumerate(cells)
        if cell
    )
    return f'<row r="{number}">{inline}</row>'


FIGURE = ["U00", "metric-01", "2000-01", "Q1", "", "12", "a note"]


def declared_dimension() -> bytes:
    rows = row_xml(1, HEADINGS.split(",")) + "".join(row_xml(n, FIGURE) for n in range(2, 50))
    return xlsx_with_sheet(sheet_xml(rows, dimension="A1:XFD1048576"))


def far_cell() -> bytes:
    rows = row_xml(1, HEADINGS.split(",")) + row_xml(2, FIGURE)
    rows += '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c></row>'
    return xlsx_with_sheet(sheet_xml(rows))


def million_empty_rows() -> bytes:
    """As LibreOffice can save a sheet: a few rows, then a million styled, empty ones."""
    rows = [row_xml(1, HEADINGS.split(",")), row_xml(2, FIGURE)]
    rows += [f'<row r="{n}" spans="1:7" customFormat="1" s="1"/>' for n in range(3, 1_048_577)]
    return xlsx_with_sheet(sheet_xml("".join(rows), dimension="A1:G1048576"))


def rows_to_the_expansion_cap() -> bytes:
    """Valid-looking rows, as many as fit under the 100 MB expanded-size check."""
    rows, size, number = [row_xml(1, HEADINGS.split(","))], 0, 1
    while size < 95 * 1024 * 1024:
        number += 1
        rows.append(row_xml(number, FIGURE[:3] + [f"Q{number % 4 + 1}", "", str(number), ""]))
        size += len(rows[-1])
    return xlsx_with_sheet(sheet_xml("".join(rows), dimension=f"A1:G{number}"))


def distinct_keys() -> bytes:
    first = dict(zip(HEADINGS.split(","), FIGURE, strict=True))
    return json.dumps([first] + [{f"key{n}": n} for n in range(20_000)]).encode()


def deep_json() -> bytes:
    return b"[" * 1000 + b"]" * 1000


def deep_json_10mb() -> bytes:
    return b"[" * (LIMIT - 1024)


def bad_rows_csv() -> bytes:
    line = "U00,metric-01,2000-01,Q1,,twelve,a note to make the row as long as a real one\r\n"
    count = (9_900_000 - len(HEADINGS) - 2) // len(line)
    return (HEADINGS + "\r\n" + line * count).encode()


def utf16_csv() -> bytes:
    line = ",".join(FIGURE) + "\r\n"
    count = (LIMIT // 2 - 200) // len(line)
    return (HEADINGS + "\r\n" + line * count).encode("utf-16")


def long_cell_csv() -> bytes:
    start = HEADINGS + "\r\n" + ",".join(FIGURE[:6]) + ',"'
    return (start + "x" * (LIMIT - len(start) - 10)).encode()


def valid_rows() -> list[list[str]]:
    """Distinct figures for the 10 MB file's catalogue (see catalogue_for_valid)."""
    import benchmarks.import_benchmark as reference

    return reference.generate_rows()


def valid_csv(rows) -> bytes:
    import benchmarks.import_benchmark as reference

    content = reference.as_csv(rows)
    if len(content) > LIMIT:  # whole rows up to the limit
        content = content[: content.rfind(b"\r\n", 0, LIMIT) + 2]
    return content


HOSTILE = {
    "declared-dimension.xlsx": declared_dimension,
    "far-cell.xlsx": far_cell,
    "million-empty-rows.xlsx": million_empty_rows,
    "rows-to-expansion-cap.xlsx": rows_to_the_expansion_cap,
    "keys.json": distinct_keys,
    "deep.json": deep_json,
    "deep-10MB.json": deep_json_10mb,
    "bad-rows.csv": bad_rows_csv,
    "utf16.csv": utf16_csv,
    "long-cell.csv": long_cell_csv,
}


def issue20(name: str):
    def build(scale: float = 1) -> bytes:
        from tests.importing import hostile

        return hostile.WORKBOOKS[name](scale=scale)

    return build


def deep_json_5000(scale: float = 1) -> bytes:
    from tests.importing import hostile

    return hostile.deep_json(5_000)


def duplicate_key_json(scale: float = 1) -> bytes:
    from tests.importing import hostile

    return hostile.duplicate_key_json()


def valid_workbook(scale: float = 1) -> bytes:
    """Distinct figures of the valid file's catalogue, as many as the cap on
    cells allows (57,000 rows of seven cells)."""
    from tests.importing import hostile

    rows = valid_rows()[: int(57_000 * scale)]
    figures = [tuple(Decimal(c) if i == 5 else c for i, c in enumerate(row[:7])) for row in rows]
    return hostile.valid_workbook(figures=figures)


for _name in (
    "empty-cells.xlsx",
    "many-styles.xlsx",
    "many-shared-strings.xlsx",
    "tab-spaced-cells.xlsx",
    "sheet-outside-worksheets.xlsx",
    "prefixed-cells.xlsx",
    "renamed-shared-strings.xlsx",
    "empty-styled-rows.xlsx",
):
    HOSTILE["issue20-" + _name] = issue20(_name)
HOSTILE["issue20-deep-5000.json"] = deep_json_5000
HOSTILE["issue20-duplicate-key.json"] = duplicate_key_json
HOSTILE["valid-workbook.xlsx"] = valid_workbook
SCALED = {name for name in HOSTILE if name.startswith(("issue20-", "valid-workbook"))}
VALID = "valid-10MB.csv"
REFERENCE = "reference-100k-import"


# The measured process --------------------------------------------------------


def memory_mib(field: str) -> float:
    """VmRSS (now) or VmHWM (the peak) of this process, from /proc. Not
    ru_maxrss: Linux carries that across exec from the parent process."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"no {field} in /proc/self/status")


def peak_mib() -> float:
    return memory_mib("VmHWM")


def current_mib() -> float:
    return memory_mib("VmRSS")


def child(case: str, path: str, database_url: str, media_root: str) -> dict:
    django_setup(database_url, media_root)
    from django.contrib.auth.models import User
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    setup_test_environment()  # so that the client's response carries its context

    from reporting.models import ImportBatch

    if case == REFERENCE:
        return reference_import()
    if case == VALID:
        catalogue_for_valid()
    user = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
        "bench-admin", "bench@example.invalid", "not-a-real-password"
    )
    client = Client()
    client.force_login(user)
    url = reverse("admin:reporting_figure_import")
    client.get(url)  # loads the admin, templates and import machinery: the baseline
    baseline = current_mib()
    last_batch = ImportBatch.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    started = time.perf_counter()
    with open(path, "rb") as handle:
        response = client.post(url, {"import_file": handle, "format": format_index(path)})
    preview = time.perf_counter() - started
    preview_peak = peak_mib() - baseline
    page = response.content.decode()
    result = {
        "status": response.status_code,
        "preview_s": preview,
        "page_bytes": len(response.content),
        "message": first_message(page),
    }
    batch = ImportBatch.objects.filter(pk__gt=last_batch).order_by("pk").first()
    result["batch"] = (
        f"{batch.status}: {batch.new} new, {batch.rejected} rejected" if batch else "no import"
    )
    if case == VALID and response.context and response.context.get("confirm_form"):
        fields = {f.name: f.value() for f in response.context["confirm_form"]}
        # The test client keeps the preview's context (its whole outcome)
        # alive with the response; a server frees it when the page is sent.
        del response, page
        gc.collect()
        started = time.perf_counter()
        confirmed = client.post(reverse("admin:reporting_figure_process_import"), fields)
        result["import_s"] = time.perf_counter() - started
        result["confirm_status"] = confirmed.status_code
        batch = ImportBatch.objects.order_by("-pk").first()
        result["batch"] += f"; then {batch.status}: {batch.new} new"
    result["peak_above_baseline_mib"] = preview_peak
    if "import_s" in result:
        result["import_peak_above_baseline_mib"] = peak_mib() - baseline
    result["baseline_mib"] = baseline
    return result


def format_index(path: str) -> str:
    return {"csv": "0", "xlsx": "1", "json": "2"}[path.rsplit(".", 1)[-1]]


def first_message(page: str) -> str:
    for pattern in (
        r'<ul class="errorlist"[^>]*><li>(.*?)</li>',
        r'<ul class="import-problems">\s*<li>(.*?)</li>',
        r'class="import-problem-count">(.*?)<a',
        r'<li class="(?:info|error|success)">(Preview:.*?)</li>',
    ):
        match = re.search(pattern, page, re.S)
        if match:
            return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip()[:160]
    return ""


def catalogue_for_valid() -> None:
    """The import benchmark's catalogue with 30 metrics a unit: room for
    300,000 distinct figures, so that a 10 MB file holds no repeated one."""
    import benchmarks.import_benchmark as reference

    reference.METRICS_PER_UNIT = 30
    reference.reset_database()


def reference_import() -> dict:
    """benchmarks/import_benchmark.py's "ours, first import", on its own catalogue."""
    import benchmarks.import_benchmark as reference
    from reporting.models import ImportBatch
    from reporting.services import import_file

    reference.reset_database()
    content = reference.as_csv(reference.generate_rows())
    baseline = current_mib()
    started = time.perf_counter()
    outcome = import_file(content=content, file_name="bench.csv", source=ImportBatch.Source.COMMAND)
    elapsed = time.perf_counter() - started
    assert outcome.written, outcome.summary()
    return {
        "status": 0,
        "import_s": elapsed,
        "rows": len(outcome.rows),
        "file_mib": len(content) / 1_048_576,
        "peak_above_baseline_mib": peak_mib() - baseline,
        "baseline_mib": baseline,
    }


# The runner ------------------------------------------------------------------


def load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def run_case(case: str, path: str, args) -> dict:
    before = load()
    completed = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            case,
            "--file",
            path,
            "--database-url",
            args.database_url,
            "--media-root",
            args.media_root,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if completed.returncode != 0:
        return {"error": completed.stderr.strip().splitlines()[-1:], "load_before": before}
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["load_before"], result["load_after"] = before, load()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="run only these cases")
    parser.add_argument("--database-url", default="sqlite:////tmp/alert-bounded.sqlite3")
    parser.add_argument("--media-root", default="")
    parser.add_argument(
        "--scale", type=float, default=1, help="shrink issue 20's files (a check that it runs)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.file, args.database_url, args.media_root)))
        return

    cases = list(HOSTILE) + [VALID, REFERENCE]
    if args.only:
        cases = [case for case in cases if case in args.only]
    with tempfile.TemporaryDirectory(prefix="bounded-files-") as folder:
        args.media_root = args.media_root or os.path.join(folder, "media")
        django_setup(args.database_url, args.media_root)
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        catalogue_for_valid()  # so that hostile rows meet real units and metrics
        connections.close_all()
        print(f"database: {args.database_url}; load average at start: {load()}")
        results = {}
        for case in cases:
            path = os.path.join(folder, case)
            if case == VALID:
                content = valid_csv(valid_rows())
                connections.close_all()
            elif case == REFERENCE:
                content = b""
            elif case in SCALED:
                content = HOSTILE[case](args.scale)
                connections.close_all()
            else:
                content = HOSTILE[case]()
            Path(path).write_bytes(content)
            results[case] = result = run_case(case, path, args)
            result["file_bytes"] = len(content)
            print(report_line(case, result), flush=True)
        print_verdict(results)


def report_line(case: str, result: dict) -> str:
    if "error" in result:
        return f"{case:28} FAILED: {result['error']}"
    times = [f"preview {result['preview_s']:6.2f} s"] if "preview_s" in result else []
    if "import_s" in result:
        times.append(f"import {result['import_s']:6.2f} s")
    if "import_peak_above_baseline_mib" in result:
        times.append(f"import peak +{result['import_peak_above_baseline_mib']:.0f} MiB")
    return (
        f"{case:28} {result['file_bytes'] / 1_048_576:6.2f} MB  {', '.join(times):52} "
        f"peak +{result['peak_above_baseline_mib']:5.0f} MiB (baseline {result['baseline_mib']:.0f})  "
        f"page {result.get('page_bytes', 0) / 1024:6.1f} KiB  load {result['load_before']} -> "
        f"{result['load_after']}\n{'':29}{result.get('batch', '')} | {result.get('message', '')}"
    )


def print_verdict(results: dict) -> None:
    print()
    within = [
        case
        for case, r in results.items()
        if "preview_s" in r
        and r["preview_s"] <= TARGET_SECONDS
        and r["peak_above_baseline_mib"] <= TARGET_MIB
    ]
    previewed = [case for case, r in results.items() if "preview_s" in r]
    print(
        f"refused or previewed within {TARGET_SECONDS} s and {TARGET_MIB} MiB: {len(within)} of {len(previewed)}"
    )
    for case in previewed:
        if case not in within:
            print(f"  not met: {case}")
    valid, reference = results.get(VALID, {}), results.get(REFERENCE, {})
    if "import_s" in valid and "import_s" in reference:
        total = valid["preview_s"] + valid["import_s"]
        ratio = total / reference["import_s"]
        print(
            f"10 MB valid file, preview + import: {total:.2f} s; 100,000-row import: "
            f"{reference['import_s']:.2f} s; ratio {ratio:.2f}x (target <= {TARGET_RATIO}x)"
        )


if __name__ == "__main__":
    main()
