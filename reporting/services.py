"""Writes that span models: imports, year set-up. Every entry path calls these."""

from django.db import transaction

from reporting.importing.files import parse_file
from reporting.importing.pipeline import ImportOutcome, checksum_of, run_import
from reporting.models import FiscalYear, ReportingPeriod


def import_file(
    *,
    content: bytes,
    file_name: str,
    user=None,
    dry_run: bool = False,
    file_format: str | None = None,
    source: str = "",
) -> ImportOutcome:
    """Import a long-form file through the one pipeline; nothing is written
    unless every row is accepted and it is not a dry run."""
    parsed = parse_file(content, file_name, file_format)
    return run_import(
        parsed.rows,
        user=user,
        dry_run=dry_run,
        file_name=file_name,
        file_format=parsed.file_format,
        checksum=checksum_of(content),
        source=source,
        file_problems=parsed.problems,
    )


@transaction.atomic
def create_fiscal_year(*, label: str, status: str = FiscalYear.Status.OPEN) -> FiscalYear:
    fiscal_year = FiscalYear(label=label, status=status)
    fiscal_year.full_clean()
    fiscal_year.save()
    ReportingPeriod.objects.ensure_for([fiscal_year])
    return fiscal_year
