"""Create the media bucket when it does not exist yet: `manage.py media_bucket_ensure`.

For a new S3-compatible store (the compose file's SeaweedFS, MinIO); on AWS or R2 the operator
usually creates it with its own policies. Exits non-zero with the reason when the store cannot
be reached or refuses.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tiktok.storage import StorageUnavailable, storage_bucket_ensure


class Command(BaseCommand):
    help = "Create the S3 media bucket if it does not exist."

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        if settings.STORAGE_BACKEND != "s3":
            self.stdout.write("STORAGE_BACKEND is not s3: nothing to do")
            return
        try:
            created = storage_bucket_ensure()
        except StorageUnavailable as exc:
            raise CommandError(str(exc)) from exc
        state = "created" if created else "already exists"
        self.stdout.write(f"bucket {settings.S3_BUCKET}: {state}")
