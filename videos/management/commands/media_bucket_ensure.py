"""Create the media bucket when it does not exist yet: `manage.py media_bucket_ensure`.

For a new S3-compatible store (the compose file's SeaweedFS, MinIO); on AWS or R2 the operator
usually creates it with its own policies. Exits non-zero with the reason when the store cannot
be reached or refuses; `--wait SECONDS` keeps trying that long first (a store whose S3 gateway
starts after its health check passed: compose's migrate service).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tiktok.storage import StorageUnavailable, storage_bucket_ensure


class Command(BaseCommand):
    help = "Create the S3 media bucket if it does not exist."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wait",
            type=float,
            default=0.0,
            help="seconds to keep trying while the store cannot be reached (default 0)",
        )

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        if settings.STORAGE_BACKEND != "s3":
            self.stdout.write("STORAGE_BACKEND is not s3: nothing to do")
            return
        if options["wait"] < 0:
            raise CommandError("--wait must be 0 or more")
        deadline = time.monotonic() + options["wait"]
        while True:
            try:
                created = storage_bucket_ensure()
                break
            except StorageUnavailable as exc:
                if time.monotonic() >= deadline:
                    raise CommandError(str(exc)) from exc
                time.sleep(min(2.0, max(0.0, deadline - time.monotonic())))
        state = "created" if created else "already exists"
        self.stdout.write(f"bucket {settings.S3_BUCKET}: {state}")
