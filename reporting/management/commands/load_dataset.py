"""Load the shipped 2023-24 dataset (catalogue and figures); idempotent."""

from pathlib import Path

import tablib
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reporting.models import FiscalYear, ImportBatch
from reporting.resources import FiscalYearResource
from reporting.services import import_file
from units.resources import MetricResource, RegionResource, UnitResource

DATA = Path(__file__).resolve().parents[2] / "data"
FIGURES = DATA / "annual-report-2023-24.csv"


class Command(BaseCommand):
    help = "Load ALERT's 2023-24 annual report (units, metrics, regions, years, figures)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds fiscal years.",
        )

    def handle(self, *args, if_empty: bool = False, **options):
        if if_empty and FiscalYear.objects.exists():
            self.stdout.write("The database already holds data; the dataset was not loaded.")
            return
        with transaction.atomic():
            for file_name, resource in [
                ("units.csv", UnitResource()),
                ("metrics.csv", MetricResource()),
                ("regions.csv", RegionResource()),
                ("fiscal_years.csv", FiscalYearResource()),
            ]:
                dataset = tablib.Dataset().load((DATA / file_name).read_text("utf-8"), format="csv")
                result = resource.import_data(dataset, raise_errors=True)
                totals = result.totals
                self.stdout.write(
                    f"{file_name}: {totals['new']} new, {totals['update']} updated, "
                    f"{totals['skip']} unchanged"
                )
            outcome = import_file(
                content=FIGURES.read_bytes(),
                file_name=FIGURES.name,
                source=ImportBatch.Source.DATASET,
            )
            if outcome.has_errors:
                raise CommandError("\n".join(outcome.problems))
            self.stdout.write(f"{FIGURES.name}: {outcome.summary()}")
