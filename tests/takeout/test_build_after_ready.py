"""An error after an archive was made ready (the live push of its notice, run once the row is
committed) does not delete the archive the row points to: the person downloads it."""

from __future__ import annotations

import pytest
from django.db import OperationalError

import notifications.push
from takeout.build import data_export_build
from takeout.models import DataExport, ExportState
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_push_failing_after_the_ready_commit_leaves_the_archive(
    media_store, client_for, monkeypatch
):  # noqa: ANN001
    alice = UserFactory(username="alice")
    export = DataExport.objects.create(user=alice)

    def push_down(**kwargs) -> None:  # noqa: ANN003
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(notifications.push, "notification_payloads", push_down)
    with pytest.raises(OperationalError):  # the task fails loudly; its redelivery is a no-op
        data_export_build(export_id=export.pk)
    export.refresh_from_db()
    assert export.state == ExportState.READY
    assert media_store.names("exports") == [export.object_name]
    download = client_for(alice).get(f"/api/me/data-exports/{export.pk}/download")
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"
    assert data_export_build(export_id=export.pk) == ExportState.READY


def test_an_archive_is_built_in_the_worker_s_own_work_folder(
    media_store, monkeypatch, settings, tmp_path
):  # noqa: ANN001
    # A build killed mid-way (out of memory, a stop past its grace) left its zip in the system's
    # /tmp, which no clean-up reads: each new worker's start-up removes what dead processes
    # left under PIPELINE_TEMP_ROOT.
    import takeout.build

    settings.PIPELINE_TEMP_ROOT = str(tmp_path / "work")
    export = DataExport.objects.create(user=UserFactory())
    real_write = takeout.build.archive_write
    targets = []

    def written_where(**kwargs):  # noqa: ANN003, ANN202
        targets.append(kwargs["target"])
        return real_write(**kwargs)

    monkeypatch.setattr(takeout.build, "archive_write", written_where)
    assert data_export_build(export_id=export.pk) == ExportState.READY
    (target,) = targets
    assert target.is_relative_to(tmp_path / "work")
