"""The media store of one test: a folder of its own in the suite's real store (a key prefix in
the embedded SeaweedFS bucket, or a temporary folder with STORAGE_BACKEND=filesystem)."""

from __future__ import annotations

import shutil
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from storages.backends.s3 import S3Storage

from tiktok.storage import storage_names


class MediaStore:
    def __init__(self, config: dict[str, Any]) -> None:
        # Its own storage object: cleaning up still works when a test broke the settings.
        self._storage = storages.create_storage(config)

    def names(self, prefix: str = "") -> list[str]:
        """Every stored name (under `prefix`), sorted."""
        return sorted(storage_names(prefix))

    def put(self, name: str, data: bytes) -> str:
        stored = default_storage.save(name, ContentFile(data))
        assert stored == name, (stored, name)
        return stored

    def read(self, name: str) -> bytes:
        with default_storage.open(name, "rb") as handle:
            return handle.read()

    def clear(self) -> None:
        storage = self._storage
        if not isinstance(storage, S3Storage):
            shutil.rmtree(storage.location, ignore_errors=True)
            return
        client = storage.connection.meta.client
        prefix = storage.location.strip("/") + "/"
        for page in client.get_paginator("list_objects_v2").paginate(
            Bucket=storage.bucket_name, Prefix=prefix
        ):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                client.delete_objects(Bucket=storage.bucket_name, Delete={"Objects": keys})
