"""The declared layering (docs/architecture.md) holds, and breaking it fails the build: an app
importing one above it, even lazily inside a function, and any module cycle."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import BASE_DIR

PACKAGES = (
    "tiktok",
    "profiles",
    "sounds",
    "videos",
    "tagging",
    "feed",
    "discover",
    "search",
    "studio",
    "moderation",
    "notifications",
    "takeout",
    "embedder_service",
)
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return _run([str(LINT_IMPORTS), "--no-cache"], cwd)


def _import_cycles(cwd: Path) -> subprocess.CompletedProcess:
    return _run([sys.executable, "scripts/import_cycles.py"], cwd)


def _project_copy(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in (*PACKAGES, "scripts"):
        shutil.copytree(BASE_DIR / package, root / package, ignore=ignore)
    shutil.copy(BASE_DIR / "pyproject.toml", root / "pyproject.toml")
    return root


def _append(path: Path, code: str) -> None:
    path.write_text(path.read_text() + "\n\n" + code + "\n")


def test_the_declared_layers_hold() -> None:
    result = _lint_imports(BASE_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_module_imports_another_in_a_circle() -> None:
    result = _import_cycles(BASE_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 cycle(s)" in result.stdout


def test_a_lazy_import_of_a_higher_app_breaks_the_build(tmp_path: Path) -> None:
    root = _project_copy(tmp_path)
    assert _lint_imports(root).returncode == 0
    _append(
        root / "profiles" / "selectors.py",
        "def interactions_of(user):\n"
        "    from feed.models import Interaction\n\n"
        "    return Interaction.objects.filter(user=user)",
    )

    result = _lint_imports(root)

    assert result.returncode != 0
    assert "profiles.selectors -> feed.models" in result.stdout


def test_a_lazy_import_into_infrastructure_breaks_the_build(tmp_path: Path) -> None:
    root = _project_copy(tmp_path)
    _append(
        root / "tiktok" / "api" / "health.py",
        "def check_videos():\n    from videos.models import Video\n\n    return Video",
    )

    result = _lint_imports(root)

    assert result.returncode != 0
    assert "tiktok.api.health -> videos.models" in result.stdout


def test_a_circle_hidden_in_a_function_is_reported(tmp_path: Path) -> None:
    root = _project_copy(tmp_path)
    assert _import_cycles(root).returncode == 0
    _append(
        root / "feed" / "taste_maths.py",
        "def _session():\n    from feed import interaction_state\n\n    return interaction_state",
    )

    result = _import_cycles(root)

    assert result.returncode == 1
    assert "feed.interaction_state <-> feed.taste_maths" in result.stdout
