"""Import benchmark: 100,000 long-form rows through the admin's code path.

    DATABASE_URL=sqlite:////tmp/alert-bench.sqlite3 .venv/bin/python benchmarks/import_benchmark.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alert_bench .venv/bin/python benchmarks/import_benchmark.py

The database named by DATABASE_URL is migrated and EMPTIED (use a scratch
one). It is given a catalogue (units, metrics, regions, 50 fiscal years) and
no figures; then, in one run:

1. ours: the file is parsed and imported through ``reporting.services.import_file``
   (parse_file + run_import: the same code the admin's confirm runs, history included);
2. ours again: the same file, every row unchanged;
3. plain ``bulk_create`` of the same rows (keys resolved from dictionaries in
   memory beforehand; no history): the floor;
4. django-import-export's ModelResource in its default configuration
   (row by row, ForeignKeyWidget lookups, history by save()), timed on a
   sample and extrapolated (stated in the output).

Peak memory is the process's maximum resident set size after our two imports
(resource.getrusage), and the extra Python allocation during the first import
(tracemalloc, in a separate, untimed run).
"""

import argparse
import csv
import io
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alert.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from import_export import fields, resources, widgets  # noqa: E402

from reporting.importing.longform import COLUMNS  # noqa: E402
from reporting.models import Figure, FiscalYear, ImportBatch, ReportingPeriod  # noqa: E402
from reporting.services import create_fiscal_year, import_file  # noqa: E402
from units.models import Metric, Region, Unit  # noqa: E402

UNITS, METRICS_PER_UNIT, REGIONS, YEARS = 10, 10, 15, 50


def reset_database() -> None:
    call_command("migrate", verbosity=0)
    with transaction.atomic():
        Figure.history.all().delete()
        Figure.objects.all().delete()
        ImportBatch.objects.all().delete()
        ReportingPeriod.objects.all().delete()
        FiscalYear.history.all().delete()
        FiscalYear.objects.all().delete()
        Metric.objects.all().delete()
        Unit.objects.all().delete()
        Region.objects.all().delete()
    for n in range(UNITS):
        unit = Unit.objects.create(
            code=f"U{n:02d}", name=f"Unit {n}", program="P", team="T", display_order=n
        )
        Metric.objects.bulk_create(
            Metric(
                unit=unit,
                code=f"metric-{m:02d}",
                label=f"Metric {m}",
                value_type=Metric.ValueType.CURRENCY if m == 0 else Metric.ValueType.COUNT,
                display_order=m,
                # Every metric has figures by region in this file.
                regional_label=f"Metric {m} by region",
            )
            for m in range(METRICS_PER_UNIT)
        )
    Region.objects.bulk_create(Region(name=f"Region {r}", display_order=r) for r in range(REGIONS))
    for y in range(YEARS):
        create_fiscal_year(label=FiscalYear.label_for(1980 + y))


def generate_rows() -> list[list[str]]:
    """25,000 unit-wide figures (Q1-Q4 and FY) and 75,000 regional full-year ones."""
    rows = []
    metrics = list(Metric.objects.select_related("unit").order_by("unit__code", "code"))
    regions = [r.name for r in Region.objects.order_by("name")]
    labels = [FiscalYear.label_for(1980 + y) for y in range(YEARS)]
    n = 0
    for metric in metrics:
        for label in labels:
            for period in ("Q1", "Q2", "Q3", "Q4", "FY"):
                n += 1
                value = f"{n % 9000 + 100}.25" if metric.value_type == "currency" else str(n % 900)
                rows.append([metric.unit.code, metric.code, label, period, "", value, "", ""])
            for region in regions:
                n += 1
                rows.append(
                    [metric.unit.code, metric.code, label, "FY", region, str(n % 500), "", ""]
                )
    return rows


def as_csv(rows) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def clear_figures() -> None:
    with transaction.atomic():
        Figure.history.all().delete()
        Figure.objects.all().delete()


def timed(action):
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def plain_bulk_create(rows) -> tuple[float, float]:
    """(seconds to resolve keys and build objects, seconds in bulk_create)."""
    started = time.perf_counter()
    metrics = {(m.unit.code, m.code): m.pk for m in Metric.objects.select_related("unit")}
    periods = {
        (label, period): pk
        for pk, label, period in ReportingPeriod.objects.values_list(
            "pk", "fiscal_year__label", "period"
        )
    }
    regions = {r.name: r.pk for r in Region.objects.all()}
    from decimal import Decimal

    objects = [
        Figure(
            metric_id=metrics[(unit, metric)],
            period_id=periods[(label, period)],
            region_id=regions[region] if region else None,
            value=Decimal(value),
            note=note,
            public_note=public_note,
        )
        for unit, metric, label, period, region, value, note, public_note in rows
    ]
    prepared = time.perf_counter()
    with transaction.atomic():
        Figure.objects.bulk_create(objects, batch_size=1000)
    return prepared - started, time.perf_counter() - prepared


class MetricWidget(widgets.ForeignKeyWidget):
    def get_queryset(self, value, row, *args, **kwargs):
        return Metric.objects.filter(unit__code=row["unit"])


class PeriodWidget(widgets.ForeignKeyWidget):
    def get_queryset(self, value, row, *args, **kwargs):
        return ReportingPeriod.objects.filter(fiscal_year__label=row["fiscal_year"])


class DefaultResource(resources.ModelResource):
    """django-import-export as its documentation shows it: natural keys through
    ForeignKeyWidget, the default instance loader, row by row, save() per row."""

    metric = fields.Field(
        attribute="metric", column_name="metric", widget=MetricWidget(Metric, "code")
    )
    period = fields.Field(
        attribute="period", column_name="period", widget=PeriodWidget(ReportingPeriod, "period")
    )
    region = fields.Field(
        attribute="region", column_name="region", widget=widgets.ForeignKeyWidget(Region, "name")
    )
    value = fields.Field(attribute="value", column_name="value", widget=widgets.DecimalWidget())
    note = fields.Field(attribute="note", column_name="note")

    class Meta:
        model = Figure
        fields = ("metric", "period", "region", "value", "note")
        import_id_fields = ("metric", "period", "region")


def default_resource(rows) -> float:
    import tablib

    dataset = tablib.Dataset(headers=list(COLUMNS))
    for row in rows:
        dataset.append(row)
    started = time.perf_counter()
    result = DefaultResource().import_data(dataset, dry_run=False, use_transactions=True)
    elapsed = time.perf_counter() - started
    if result.has_errors() or result.has_validation_errors():
        errors = result.row_errors()[:1] or result.invalid_rows[:1]
        raise SystemExit(f"the default resource failed: {errors}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=2000, help="rows for the default resource")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also trace Python allocation (slow)"
    )
    args = parser.parse_args()

    vendor = connection.vendor
    print(f"database: {vendor} ({connection.settings_dict['NAME']})")
    reset_database()
    rows = generate_rows()
    content = as_csv(rows)
    print(f"file: {len(rows):,} rows, {len(content) / 1_048_576:.1f} MB of CSV")

    first, outcome = timed(
        lambda: import_file(
            content=content, file_name="bench.csv", source=ImportBatch.Source.COMMAND
        )
    )
    assert outcome.written and outcome.counts["new"] == len(rows), outcome.summary()
    history = Figure.history.count()
    assert history == len(rows), history
    again, outcome = timed(
        lambda: import_file(
            content=content, file_name="bench.csv", source=ImportBatch.Source.COMMAND
        )
    )
    assert outcome.counts["unchanged"] == len(rows), outcome.summary()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux

    traced_peak = None
    if args.tracemalloc:
        clear_figures()
        tracemalloc.start()
        import_file(content=content, file_name="bench.csv", source=ImportBatch.Source.COMMAND)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    clear_figures()
    prepare, bulk = plain_bulk_create(rows)
    clear_figures()

    sample = rows[: args.sample]
    default = default_resource(sample)
    default_full = default * len(rows) / len(sample)
    clear_figures()

    print(
        f"ours, first import (parse, check, write + history): {first:8.2f} s  {len(rows) / first:9,.0f} rows/s"
    )
    print(
        f"ours, same file again (all unchanged):               {again:8.2f} s  {len(rows) / again:9,.0f} rows/s"
    )
    print(
        f"plain bulk_create (no history), objects prepared:   {bulk:8.2f} s  {len(rows) / bulk:9,.0f} rows/s"
    )
    print(f"  (+ {prepare:.2f} s to resolve keys and build the objects)")
    print(
        f"default ModelResource on {len(sample):,} rows:          {default:8.2f} s  "
        f"{len(sample) / default:9,.0f} rows/s  -> extrapolated to {len(rows):,}: {default_full:,.0f} s"
    )
    print(f"ratio ours/bulk_create:       {first / bulk:5.2f}x  (target <= 3)")
    print(f"ratio default/ours:           {default_full / first:5.1f}x  (target >= 20)")
    print(f"re-import faster than first:  {again < first}")
    print(f"peak RSS of the process:      {peak_rss:6.0f} MiB (target < 500)")
    if traced_peak is not None:
        print(
            f"peak Python allocation (tracemalloc), one import: {traced_peak / 1_048_576:.0f} MiB"
        )


if __name__ == "__main__":
    main()
