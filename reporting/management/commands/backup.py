"""Back up the whole record to one JSON file (see reporting.backup)."""

import json
import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand

from reporting.backup import take_backup


class Command(BaseCommand):
    help = (
        "Write the whole record (every table of the project's apps: catalogue, years, figures, "
        "imports, change history; and users and groups) to a JSON file that "
        "`manage.py restore` reads back into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")
        parser.add_argument(
            "--without-users",
            action="store_true",
            help="leave out users and groups; people are named by username and must exist "
            "in the database restored into",
        )

    def handle(self, *args, output: str | None, without_users: bool, **options):
        data = take_backup(with_users=not without_users)  # one consistent snapshot
        text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
        if not output:
            sys.stdout.write(text + "\n")
            return
        path = Path(output)
        # Write beside the target and rename, so a half-written backup never
        # replaces a good one.
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent or ".", delete=False, suffix=".part"
        ) as part:
            part.write(text + "\n")
        os.replace(part.name, path)
        rows = sum(len(table["rows"]) for table in data["models"])
        self.stdout.write(f"Wrote {path}: {rows} rows in {len(data['models'])} tables.")
