from django.core.management.base import BaseCommand

from alert.uploads.models import ABANDONED_AFTER, HeldUpload


class Command(BaseCommand):
    help = (
        "Delete uploads held for an import preview that was never confirmed or "
        f"cancelled, older than {ABANDONED_AFTER.days} day(s). Each new preview "
        "also sweeps them; run this from cron where imports are rare."
    )

    def handle(self, *args, **options) -> None:
        deleted, _ = HeldUpload.objects.abandoned().delete()
        self.stdout.write(f"Deleted {deleted} abandoned held upload(s).")
