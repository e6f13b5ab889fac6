"""Export figures in the long form (the same columns the importer reads)."""

from django.core.management.base import BaseCommand, CommandError

from reporting.models import FiscalYear
from reporting.resources import MetricValueResource
from units.models import Unit


class Command(BaseCommand):
    help = "Export figures as long-form CSV, to standard output or to a file."

    def add_arguments(self, parser):
        parser.add_argument("--fiscal-year", help="only this year, e.g. 2023-24")
        parser.add_argument("--unit", help="only this unit's code, e.g. CFSEU")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, fiscal_year=None, unit=None, output=None, **options):
        figures = MetricValueResource().get_queryset()
        if fiscal_year:
            if not FiscalYear.objects.filter(label=fiscal_year).exists():
                raise CommandError(f"There is no fiscal year {fiscal_year}.")
            figures = figures.for_year(fiscal_year)
        if unit:
            if not Unit.objects.filter(code__iexact=unit).exists():
                raise CommandError(f"There is no unit {unit}.")
            figures = figures.filter(metric__unit__code__iexact=unit)
        dataset = MetricValueResource().export(queryset=figures)
        text = dataset.export("csv")
        if output:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            self.stderr.write(f"Wrote {len(dataset)} figures to {output}.")
        else:
            self.stdout.write(text, ending="")
