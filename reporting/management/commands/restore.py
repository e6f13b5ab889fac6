"""Restore a backup written by `manage.py backup` into an empty database."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from reporting.backup import RestoreError, restore


class Command(BaseCommand):
    help = (
        "Restore a file written by `manage.py backup` into an empty, freshly migrated database "
        "of the same schema version. One transaction: all of it or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file")

    def handle(self, *args, file: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file {file}.")
        try:
            data = json.loads(path.read_text("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(
                f"{file} is not a backup written by `manage.py backup`: {exc}"
            ) from exc
        try:
            counts = restore(data)
        except (RestoreError, DatabaseError, KeyError, TypeError, ValueError) as exc:
            raise CommandError(f"Nothing was restored: {exc}") from exc
        rows = sum(counts.values())
        self.stdout.write(f"Restored {path.name}: {rows} rows in {len(counts)} tables.")
