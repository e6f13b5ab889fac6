"""Generate plausible figures for earlier fiscal years (for load and fault tests).

The figures are the shipped 2023-24 figures, scaled by a deterministic
factor per year and metric, so a run is repeatable. They go through the one
import pipeline (history and provenance included), unless --output asks only
for the long-form file.
"""

import csv
import hashlib
import io
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting.importing.longform import COLUMNS
from reporting.models import Figure, FiscalYear, ImportBatch
from reporting.services import create_fiscal_year, import_file

DATASET = Path(__file__).resolve().parents[2] / "data" / "annual-report-2023-24.csv"
LATEST = 2023


def _factor(year: int, unit: str, metric: str) -> Decimal:
    digest = hashlib.sha256(f"{year}:{unit}:{metric}".encode()).digest()
    return Decimal(60 + digest[0] % 81) / 100  # 0.60 .. 1.40


class Command(BaseCommand):
    help = "Create fiscal years before 2023-24 and fill them with generated figures."

    def add_arguments(self, parser):
        parser.add_argument(
            "--years", type=int, default=25, help="years in all, 2023-24 included (default 25)"
        )
        parser.add_argument(
            "--output", help="write the generated long-form CSV here instead of importing it"
        )

    def handle(self, *args, years: int, output: str | None, **options):
        if years < 2:
            raise CommandError("--years must be at least 2 (2023-24 and one before it).")
        with DATASET.open(encoding="utf-8") as handle:
            template = [r for r in csv.DictReader(handle) if r["fiscal_year"] == "2023-24"]
        existing = set(FiscalYear.objects.values_list("label", flat=True))
        reported = set(
            Figure.objects.values_list("period__fiscal_year__label", flat=True).distinct()
        )
        rows = []
        for start in range(LATEST - years + 1, LATEST):
            label = FiscalYear.label_for(start)
            if label in reported:
                continue  # never overwrite figures on record
            if label not in existing:
                create_fiscal_year(label=label)
            for r in template:
                if not r["value"]:
                    continue
                value = (Decimal(r["value"]) * _factor(start, r["unit"], r["metric"])).quantize(
                    Decimal("1") if "." not in r["value"] else Decimal("0.01"), ROUND_HALF_UP
                )
                rows.append({**r, "fiscal_year": label, "value": value, "note": ""})
        if not rows and not output:
            self.stdout.write("Every year asked for already holds figures: nothing generated.")
            return
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        content = out.getvalue().encode("utf-8")
        if output:
            Path(output).write_bytes(content)
            self.stdout.write(f"Wrote {len(rows)} generated figures to {output}.")
            return
        outcome = import_file(
            content=content,
            file_name=f"generated-{years}-years.csv",
            source=ImportBatch.Source.GENERATED,
        )
        if outcome.has_errors:
            raise CommandError("\n".join(outcome.problems[:20]))
        self.stdout.write(f"Generated figures for {years - 1} earlier years: {outcome.summary()}")
