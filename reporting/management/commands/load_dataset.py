"""Load the shipped 2023-24 dataset (catalogue, figures, the report's text and
ALERT's published totals) and record its three years as published (release 1);
idempotent."""

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import tablib
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from reporting.findings import Severity, year_findings
from reporting.models import (
    FiscalYear,
    ImportBatch,
    NarrativeBlock,
    PublishedTotal,
    Release,
    ReportingPeriod,
    UnitQuarter,
)
from reporting.publication import finding_key
from reporting.resources import FiscalYearResource
from reporting.services import import_file, publish_year, save_year_text
from units.models import Unit
from units.resources import MetricResource, RegionResource, UnitResource

DATA = Path(__file__).resolve().parents[2] / "data"
FIGURES = DATA / "annual-report-2023-24.csv"
NARRATIVE = DATA / "narrative-2023-24.json"
PUBLISHED_TOTALS = DATA / "published-totals.csv"
NARRATIVE_FIELDS = [
    "kind",
    "placement",
    "display_order",
    "title",
    "body",
    "pull_quotes",
    "link_text",
    "link_url",
]
# Where each shipped year was published (the report printed three years; ALERT
# stands behind them as printed), and on which day where that is known: a
# release of the dataset says so, never the day the data was loaded.
PUBLICATIONS = DATA / "publications.csv"
PUBLISHED_REASON = "As published in ALERT's 2023-24 annual report."
ACKNOWLEDGED = "The 2023-24 annual report prints these figures so; recorded as published."
INCOMPLETE = "The 2023-24 annual report prints no more of this year; recorded as published."


class Command(BaseCommand):
    help = "Load ALERT's 2023-24 annual report (units, metrics, regions, years, figures)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds fiscal years.",
        )
        parser.add_argument(
            "--drafts",
            action="store_true",
            help="Leave the years as drafts (a training or test copy whose figures may change).",
        )

    def handle(self, *args, if_empty: bool = False, drafts: bool = False, **options):
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
            self.stdout.write(f"{NARRATIVE.name}: {load_narrative(NARRATIVE)}")
            self.stdout.write(f"{PUBLISHED_TOTALS.name}: {load_published_totals(PUBLISHED_TOTALS)}")
            if not drafts:
                self._publish()

    def _publish(self) -> None:
        """Release 1 of each year the report printed; its errors (the report's own
        inconsistencies) acknowledged as printed."""
        with PUBLICATIONS.open(encoding="utf-8", newline="") as rows:
            publications = {row["fiscal_year"]: row for row in csv.DictReader(rows)}
        for fiscal_year in FiscalYear.objects.filter(label__in=publications).order_by("start_year"):
            publication = publications[fiscal_year.label]
            if fiscal_year.is_locked or Release.objects.filter(fiscal_year=fiscal_year).exists():
                continue
            acknowledgements = {
                finding_key(finding): ACKNOWLEDGED
                for finding in year_findings(fiscal_year)
                if finding.severity == Severity.ERROR
            }
            approve_printed_quarters(fiscal_year)
            release = publish_year(
                fiscal_year=fiscal_year,
                user=None,
                reason=PUBLISHED_REASON,
                acknowledgements=acknowledgements,
                published_as=publication["published_in"],
                published_on=date.fromisoformat(publication["published_on"])
                if publication["published_on"]
                else None,
                incomplete_reason=INCOMPLETE,
            )
            self.stdout.write(f"{fiscal_year.label}: published, release {release.number}")


def approve_printed_quarters(fiscal_year: FiscalYear) -> None:
    """Record the quarters of the units the report printed for this year as approved
    (ALERT approved them before printing), so that a republication's review lists
    only what changed since. No one is named: the dataset did it."""
    units = Unit.objects.filter(metrics__figures__period__fiscal_year=fiscal_year).distinct()
    done = set(UnitQuarter.objects.for_year(fiscal_year).values_list("unit_id", "quarter"))
    now = timezone.now()
    bulk_create_with_history(
        [
            UnitQuarter(
                unit=unit,
                fiscal_year=fiscal_year,
                quarter=quarter,
                state=UnitQuarter.State.APPROVED,
                approved_at=now,
            )
            for unit in units
            for quarter in ReportingPeriod.QUARTERS
            if (unit.pk, quarter) not in done
        ],
        UnitQuarter,
        default_change_reason=PUBLISHED_REASON,
    )


def load_narrative(path: Path) -> str:
    """The report's text blocks, matched by year, unit and key. A block an
    administrator has edited keeps its link: an empty URL in the file never
    clears one filled in."""
    years = {fy.label: fy for fy in FiscalYear.objects.all()}
    units = {unit.code: unit for unit in Unit.objects.all()}
    written = 0
    for item in json.loads(path.read_text("utf-8")):
        unit = units[item["unit"]] if item.get("unit") else None
        block = NarrativeBlock.objects.filter(
            fiscal_year=years[item["fiscal_year"]], unit=unit, key=item["key"]
        ).first() or NarrativeBlock(
            fiscal_year=years[item["fiscal_year"]], unit=unit, key=item["key"]
        )
        wanted = {name: item.get(name, "") for name in NARRATIVE_FIELDS}
        if block.pk and block.link_url and not wanted["link_url"]:
            wanted["link_url"] = block.link_url
        if block.pk and all(getattr(block, name) == value for name, value in wanted.items()):
            continue
        for name, value in wanted.items():
            setattr(block, name, value)
        save_year_text(record=block)
        written += 1
    return f"{written} written"


def load_published_totals(path: Path) -> str:
    years = {fy.label: fy for fy in FiscalYear.objects.all()}
    written = 0
    with path.open(encoding="utf-8", newline="") as rows:
        for row in csv.DictReader(rows):
            total = PublishedTotal.objects.filter(
                fiscal_year=years[row["fiscal_year"]], metric_code=row["metric_code"]
            ).first() or PublishedTotal(
                fiscal_year=years[row["fiscal_year"]], metric_code=row["metric_code"]
            )
            value = Decimal(row["value"])
            if total.pk and total.value == value and total.note == row["note"]:
                continue
            total.value, total.note = value, row["note"]
            save_year_text(record=total)
            written += 1
    return f"{written} written"
