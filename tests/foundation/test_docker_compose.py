"""docker/compose.yaml is checked without a Docker engine: every command names a real entry
point of this project, and every environment variable it sets is one the code reads."""

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
OUR_DOCKERFILES = {"docker/Dockerfile": "django", "docker/Dockerfile.embedder": "embedder"}
# Variables the third-party images document (their READMEs), and process-level ones.
IMAGE_ENV = {
    "pgvector/pgvector": {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"},
    "redis": set(),
    "chrislusf/seaweedfs": set(),
    "vllm/vllm-openai": {"HF_TOKEN"},
}
PROCESS_ENV = {"DJANGO_SETTINGS_MODULE", "HF_HUB_OFFLINE", "PYTHONUNBUFFERED"}


def names_read(paths: list[Path]) -> set[str]:
    pattern = re.compile(
        r"""(?:env_\w+|environ\.get|getenv|_env_\w+)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
    )
    return {name for path in paths for name in pattern.findall(path.read_text())}


DJANGO_ENV = names_read(sorted((ROOT / "tiktok" / "settings").glob("*.py"))) | PROCESS_ENV
EMBEDDER_ENV = names_read(sorted((ROOT / "embedder_service").glob("*.py"))) | PROCESS_ENV


def kind(service: dict) -> str:
    if "build" in service:
        return OUR_DOCKERFILES[service["build"]["dockerfile"]]
    return next(prefix for prefix in IMAGE_ENV if service["image"].startswith(prefix))


def dockerfile_cmd(service: dict) -> list[str]:
    text = (ROOT / service["build"]["dockerfile"]).read_text()
    return json.loads(re.search(r"^CMD (\[.*\])$", text, re.MULTILINE).group(1))


def commands_of(service: dict) -> list[list[str]]:
    argv = service.get("command") or dockerfile_cmd(service)
    if argv[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in argv[2].split("&&")]
    return [argv]


def assert_entry_point(argv: list[str]) -> None:
    assert argv[0] == "python", argv
    if argv[1] == "manage.py":
        assert argv[2] in get_commands(), f"no management command {argv[2]!r}"
        return
    assert argv[1] == "-m", argv
    module = argv[2]
    if module == "tiktok.web.server":  # daphne with request-body limits
        from tiktok.web import server

        assert callable(server.main)
        target = argv[-1]
        module_name, attr = target.split(":")
        imported = __import__(module_name, fromlist=[attr])
        assert callable(getattr(imported, attr))
    elif module == "celery":
        assert argv[3:5] == ["-A", "tiktok"]
        from tiktok import celery_app

        assert celery_app.main == "tiktok"
        assert argv[5] in {"worker", "beat"}
    elif module == "embedder_service":
        assert (ROOT / "embedder_service" / "__main__.py").exists()
    else:
        pytest.fail(f"unknown entry point {argv}")


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_command_names_a_real_entry_point(name):
    service = SERVICES[name]
    if kind(service) not in {"django", "embedder"}:
        return
    for argv in commands_of(service):
        assert_entry_point(argv)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_env_var_is_read_by_the_code(name):
    service = SERVICES[name]
    allowed = {"django": DJANGO_ENV, "embedder": EMBEDDER_ENV}.get(kind(service))
    if allowed is None:
        allowed = IMAGE_ENV[kind(service)]
    unknown = set(service.get("environment", {})) - allowed
    assert not unknown, f"{name} sets variables nothing reads: {sorted(unknown)}"


def _queues_consumed(commands: list[list[str]]) -> set[str]:
    queues: set[str] = set()
    for argv in commands:
        if "celery" in argv and "worker" in argv:
            queues |= set(argv[argv.index("-Q") + 1].split(",")) if "-Q" in argv else {"celery"}
    return queues


def test_every_routed_queue_has_a_worker_in_compose_and_in_make_run(settings, tmp_path):
    from tiktok.dev.stack import children

    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {"celery"}
    compose = [
        argv for service in SERVICES.values() if "build" in service for argv in commands_of(service)
    ]
    assert routed <= _queues_consumed(compose)
    stack = [child.argv for child in children("127.0.0.1", 8000, 8100, tmp_path)]
    assert routed <= _queues_consumed(stack)


def test_the_stack_has_every_part():
    parts = {"postgres", "redis", "seaweedfs", "web", "worker", "beat", "embedder", "vllm"}
    assert parts <= set(SERVICES)
    assert SERVICES["postgres"]["image"].startswith("pgvector/pgvector:pg18")
    assert "--runner" in SERVICES["vllm"]["command"]


def test_no_host_shares_a_media_disk_with_another():
    for name, service in SERVICES.items():
        mounts = [str(volume) for volume in service.get("volumes", [])]
        assert not any("media" in mount for mount in mounts), name
    assert "media" not in COMPOSE["volumes"]
    django_env = SERVICES["web"]["environment"]
    assert django_env["STORAGE_BACKEND"] == "s3" and "S3_ENDPOINT_URL" in django_env


@pytest.mark.parametrize("dockerfile", sorted(OUR_DOCKERFILES))
def test_dockerfiles_copy_files_that_exist(dockerfile):
    for line in (ROOT / dockerfile).read_text().splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), f"{dockerfile}: COPY {source} does not exist"


def test_the_django_image_holds_every_app_of_the_project():
    from django.conf import settings

    copied = {
        line.split()[1]
        for line in (ROOT / "docker/Dockerfile").read_text().splitlines()
        if line.startswith("COPY ")
    }
    ours = {app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").exists()}
    assert ours - copied == set()
    assert "libchromaprint-tools" in (ROOT / "docker/Dockerfile").read_text()


def test_embedder_settings_env_names_exist():
    # Guards the scanner itself: it must find the variables the services are configured with.
    assert {"DATABASE_URL", "REDIS_URL", "EMBEDDER_URL", "SECRET_KEY"} <= DJANGO_ENV
    assert {"EMBEDDER_BACKEND", "VLLM_URL"} <= EMBEDDER_ENV
