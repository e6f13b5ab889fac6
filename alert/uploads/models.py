"""Uploads held between an import's preview and its confirmation.

The admin's import reads a file twice: once to preview it, once when the
user confirms. Between the two, the file is kept in the database, which every
app server reaches, so that a preview shown by one server can be confirmed on
another. Uploads are at most ALERT_IMPORT_MAX_BYTES (10 MB by default);
those never confirmed or cancelled are swept after a day.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

ABANDONED_AFTER = datetime.timedelta(days=1)


class HeldUploadQuerySet(models.QuerySet):
    def abandoned(self, *, older_than: datetime.timedelta = ABANDONED_AFTER):
        return self.filter(created_at__lt=timezone.now() - older_than)


class HeldUpload(models.Model):
    name = models.CharField(max_length=64, unique=True)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Who uploaded it (set once the preview is shown).",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = HeldUploadQuerySet.as_manager()

    class Meta:
        verbose_name = "held upload"

    def __str__(self) -> str:
        return f"{self.name} ({self.size} bytes)"
