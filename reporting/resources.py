"""Import/export resources. The figures' resource reads and writes the long
form; its import hands the rows to the one pipeline (reporting.importing)."""

from decimal import Decimal

from import_export import fields, resources
from import_export.results import Error, Result, RowResult

from alert.importexport import FileProblemsFirst
from reporting.formatting import format_figure, plain_number
from reporting.importing.files import parse_file
from reporting.importing.longform import COLUMNS, rows_from_table
from reporting.importing.pipeline import Action, ImportOutcome, checksum_of, run_import
from reporting.models import Figure, FiscalYear, ImportBatch
from reporting.services import create_fiscal_year


class FiscalYearResource(FileProblemsFirst, resources.ModelResource):
    # Publishing is publish_year's business (a review, a release), never a file's.
    status = fields.Field(attribute="status", column_name="status", readonly=True)

    class Meta:
        model = FiscalYear
        import_id_fields = ["label"]
        fields = ["label", "status"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True  # the model's messages, not the database's

    def do_instance_save(self, instance: FiscalYear, is_create: bool) -> None:
        if not is_create:
            super().do_instance_save(instance, is_create)
            return
        # A new year comes with its five periods, as on every other path.
        created = create_fiscal_year(label=instance.label)
        instance.pk, instance.start_year = created.pk, created.start_year


class FigureResource(resources.ModelResource):
    unit = fields.Field(attribute="metric__unit__code", column_name="unit")
    metric = fields.Field(attribute="metric__code", column_name="metric")
    fiscal_year = fields.Field(attribute="period__fiscal_year__label", column_name="fiscal_year")
    period = fields.Field(attribute="period__period", column_name="period")
    region = fields.Field(column_name="region")
    value = fields.Field(column_name="value")
    note = fields.Field(attribute="note", column_name="note")

    class Meta:
        model = Figure
        fields = COLUMNS
        export_order = COLUMNS
        import_id_fields = []

    def get_queryset(self):
        return Figure.objects.with_keys().in_report_order()

    def dehydrate_region(self, figure: Figure) -> str:
        return figure.region.name if figure.region_id else ""

    def dehydrate_value(self, figure: Figure) -> Decimal:
        # A Decimal, whole or to the cent: exact in every format (a JSON string).
        return Decimal(plain_number(figure.value))

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ) -> Result:
        """Import through the pipeline rather than row by row, and report the
        outcome in the shape django-import-export's preview expects."""
        content = getattr(dataset, "content", None)
        if content is not None:
            # The admin's upload (alert.importexport): read it with our
            # readers, in either layout, with the spreadsheet's row numbers.
            file_name = kwargs.get("file_name") or f"upload.{dataset.file_format}"
            parsed = parse_file(content, file_name, dataset.file_format)
            rows, problems = parsed.rows, parsed.problems
            file_format, layout, checksum = parsed.file_format, parsed.layout, checksum_of(content)
        else:
            rows, problems = rows_from_table(dataset.headers or [], list(dataset))
            file_format, layout = kwargs.get("file_format", ""), "long"
            checksum = kwargs.get("checksum", "")
        outcome = run_import(
            rows,
            user=kwargs.get("user"),
            dry_run=dry_run,
            file_name=kwargs.get("file_name", ""),
            file_format=file_format,
            checksum=checksum,
            source=kwargs.get("source", ImportBatch.Source.ADMIN),
            file_problems=problems,
            layout=layout,
        )
        if raise_errors and outcome.has_errors:
            raise ValueError("; ".join(outcome.problems))
        return as_result(outcome)


# The preview lists at most this many problems and this many changes; the rest
# are counted (and the admin offers every problem as a CSV download), so that
# a file of 300,000 rows gives a page of kilobytes, not hundreds of megabytes.
PREVIEW_ROWS = 100

_IMPORT_TYPES = {
    Action.NEW: RowResult.IMPORT_TYPE_NEW,
    Action.UPDATE: RowResult.IMPORT_TYPE_UPDATE,
    Action.UNCHANGED: RowResult.IMPORT_TYPE_SKIP,
    Action.SKIP: RowResult.IMPORT_TYPE_SKIP,
    Action.ERROR: RowResult.IMPORT_TYPE_INVALID,
}


def _cell(stated: object) -> str:
    return "" if stated is None else str(stated)


# The preview's columns, as a clerk reads the report (the file's own column
# names stay in the list of rejected rows, which quotes the file).
PREVIEW_HEADINGS = [
    "Unit",
    "Metric",
    "Fiscal year",
    "Period",
    "Region",
    "Value",
    "Internal note",
    "Public note",
]


def _as_printed(planned, regions: dict[int, str]) -> list[str]:
    """A planned change as the report prints it: the unit's name, the metric's
    label, Q1 or Full year, the region's name, the value formatted ($1,234)."""
    metric, row = planned.metric, planned.row
    value_type = metric.value_type
    value = format_figure(planned.value, value_type)
    if planned.action is Action.UPDATE:
        value = f"{format_figure(planned.old_value, value_type)} → {value}"
    return [
        metric.unit.name,
        metric.label,
        row.fiscal_year,
        "Full year" if row.period == "FY" else row.period,
        regions.get(planned.region_id, "") if planned.region_id else "Unit-wide",
        value,
        _cell(planned.note),
        _cell(planned.public_note),
    ]


def as_result(outcome: ImportOutcome) -> Result:
    from django.core.exceptions import ValidationError

    from units.models import Region

    result = Result()
    result.diff_headers = PREVIEW_HEADINGS
    regions = dict(Region.objects.values_list("pk", "name"))
    result.total_rows = len(outcome.rows)
    result.outcome = outcome
    # With a problem in the file as a whole the preview shows only the list of
    # general errors, so the rows' problems join it: every problem at once.
    if outcome.file_problems:
        for message in outcome.problems[:PREVIEW_ROWS]:
            result.append_base_error(Error(ValueError(message)))
    shown_errors: set[str] = set()
    listed = {Action.ERROR: 0, Action.NEW: 0, Action.UPDATE: 0}
    for planned in outcome.rows:
        if listed.get(planned.action, PREVIEW_ROWS) >= PREVIEW_ROWS:
            result.totals[_IMPORT_TYPES[planned.action]] += 1  # counted, not listed
            continue
        if planned.action is not Action.ERROR:
            listed[planned.action] += 1
        row = planned.row
        values = {column: _cell(getattr(row, column)) for column in COLUMNS}
        row_result = RowResult()
        row_result.import_type = _IMPORT_TYPES[planned.action]
        row_result.row_values = values
        if planned.action in (Action.NEW, Action.UPDATE):
            row_result.diff = _as_printed(planned, regions)
        row_result.object_id = planned.existing_id
        if planned.action is Action.ERROR:
            errors: dict[str, list[str]] = {}
            for problem in planned.problems:
                message = f"{problem.where}: {problem.message}"
                if message not in shown_errors:
                    shown_errors.add(message)
                    errors.setdefault(problem.column, []).append(message)
            if errors:
                result.append_invalid_row(row.number, values, ValidationError(errors))
                listed[Action.ERROR] += 1
        result.increment_row_result_total(row_result)
        # The preview lists what would change; unchanged and blank rows are
        # only counted (the summary above the table gives every count).
        if planned.action in (Action.NEW, Action.UPDATE):
            result.append_row_result(row_result)
    return result
