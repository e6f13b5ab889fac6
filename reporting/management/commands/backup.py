"""Back up the whole record to one JSON file (natural keys, no database ids)."""

import json
import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from reporting.backup import take_backup


class Command(BaseCommand):
    help = (
        "Write the whole record (catalogue, years and their locks, figures, notes, import "
        "history, change history, users and groups) to a JSON file that `manage.py restore` reads back."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")
        parser.add_argument(
            "--without-users",
            action="store_true",
            help="leave out users and groups (people are then named but not restored)",
        )

    def handle(self, *args, output: str | None, without_users: bool, **options):
        # One consistent snapshot even while people keep working.
        with transaction.atomic():
            data = {"created_at": timezone.now().isoformat()} | take_backup(
                with_users=not without_users
            )
        text = json.dumps(data, ensure_ascii=False, indent=1)
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
        self.stdout.write(
            f"Wrote {path}: {len(data['values'])} figures, {len(data['fiscal_years'])} years, "
            f"{len(data['import_batches'])} imports."
        )
