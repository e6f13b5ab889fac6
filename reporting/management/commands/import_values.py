"""Import figures from a file through the one pipeline (the admin's too)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from reporting.access import may_import
from reporting.models import ImportBatch
from reporting.services import import_file

PROGRESS_FROM = 10_000  # rows; shorter files are done before a bar is worth drawing
BAR_WIDTH = 30


class Command(BaseCommand):
    help = (
        "Import figures from a long-form CSV, XLSX or JSON file, or a report-layout workbook. Every row is checked first; "
        "if any is rejected nothing is written and the exit status is 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the file to import")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument(
            "--format", choices=["csv", "xlsx", "json"], help="default: from the file's extension"
        )
        parser.add_argument(
            "--user", help="username the import is recorded under (their permissions apply)"
        )

    def handle(self, *args, file: str, dry_run: bool, format: str | None, user: str | None, **opts):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file {file}.")
        importer = None
        if user:
            try:
                importer = get_user_model().objects.get_by_natural_key(user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"There is no user {user}.") from exc
            if not may_import(importer):
                raise CommandError(
                    f"{user} may not import figures: importing needs the Data entry or "
                    "Administrators role (and an active account)."
                )
        outcome = import_file(
            content=path.read_bytes(),
            file_name=path.name,
            user=importer,
            dry_run=dry_run,
            file_format=format,
            source=ImportBatch.Source.COMMAND,
            progress=self._progress,
        )
        for problem in outcome.problems:
            self.stderr.write(problem)
        self.stdout.write(
            f"{path.name} ({outcome.batch.layout} layout, import #{outcome.batch.pk}): "
            f"{outcome.summary()}"
        )
        if outcome.has_errors:
            found = len(outcome.problems)
            raise CommandError(
                ngettext("%(count)d problem found", "%(count)d problems found", found)
                % {"count": found}
                + ": nothing was written. Correct the rows above and import the file again."
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")

    def _progress(self, done: int, total: int) -> None:
        """A bar on standard error while a long file is written."""
        if total < PROGRESS_FROM:
            return
        filled = round(BAR_WIDTH * done / total)
        self.stderr.write(
            f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done:,}/{total:,} figures written",
            ending="\n" if done == total else "",
        )
        self.stderr.flush()
