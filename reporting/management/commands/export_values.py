"""Export figures: the long form (CSV, XLSX, JSON) or the report-layout workbook."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting.exporting import export_long, export_report_workbook
from reporting.models import Figure, FiscalYear
from tabular.writers import FORMATS
from units.models import Unit


class Command(BaseCommand):
    help = (
        "Export figures in the long form (the columns import_values reads) or as the "
        "report-layout workbook of one year; to standard output or to a file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fiscal-year", help="only this year, e.g. 2023-24")
        parser.add_argument("--unit", help="only this unit's code, e.g. CFSEU (long form)")
        parser.add_argument(
            "--layout", choices=["long", "report"], default="long", help="default: long"
        )
        parser.add_argument(
            "--format", choices=FORMATS, help="default: from -o's extension, else csv"
        )
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, fiscal_year=None, unit=None, layout="long", output=None, **options):
        fmt = options.get("format")
        if fmt is None and output:
            suffix = Path(output).suffix.lstrip(".").lower()
            if suffix not in FORMATS:
                raise CommandError(
                    f"Cannot tell the format from “{output}”: name it .csv, .xlsx or .json, "
                    "or give --format."
                )
            fmt = suffix
        fmt = fmt or ("xlsx" if layout == "report" else "csv")
        if fiscal_year and not FiscalYear.objects.filter(label=fiscal_year).exists():
            raise CommandError(f"There is no fiscal year {fiscal_year}.")
        if unit and not Unit.objects.filter(code__iexact=unit).exists():
            raise CommandError(f"There is no unit {unit}.")
        if layout == "report":
            if fmt != "xlsx":
                raise CommandError("The report layout is a workbook: use --format xlsx.")
            if not fiscal_year:
                raise CommandError("The report layout shows one year: give --fiscal-year.")
            if unit:
                raise CommandError(
                    "The report layout holds every unit; --unit is for the long form."
                )
            content = export_report_workbook(fiscal_year)
            what = f"the {fiscal_year} report-layout workbook"
        else:
            figures = Figure.objects.all()
            if fiscal_year:
                figures = figures.for_year(fiscal_year)
            if unit:
                figures = figures.filter(metric__unit__code__iexact=unit)
            content = export_long(figures, fmt)
            what = f"{figures.count()} figures"
        if output:
            Path(output).write_bytes(content)
            self.stderr.write(f"Wrote {what} to {output}.")
        elif fmt == "xlsx":
            raise CommandError("An XLSX workbook cannot go to the terminal: give -o FILE.")
        else:
            self.stdout.write(content.decode("utf-8"), ending="")
