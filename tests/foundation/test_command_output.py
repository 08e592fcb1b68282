"""Long-running commands check their report path before the work and keep chatty loggers
quiet (tiktok/command_output.py)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tiktok.command_output import loggers_quiet, report_path_check


def test_a_report_path_gets_its_folder_and_a_folder_or_a_path_under_a_file_is_refused(
    tmp_path: Path,
) -> None:
    out = report_path_check(tmp_path / "a" / "b" / "report.json")
    assert out == tmp_path / "a" / "b" / "report.json" and out.parent.is_dir()
    with pytest.raises(CommandError, match=r"^--out: .* is a directory; give a file name"):
        report_path_check(tmp_path / "a")
    blocker = tmp_path / "file.txt"
    blocker.write_text("kept\n")
    with pytest.raises(CommandError, match=r"^--report: cannot create .*file\.txt: "):
        report_path_check(blocker / "report.json", option="--report")
    assert blocker.read_text() == "kept\n"  # nothing was overwritten


def test_chatty_loggers_are_quiet_inside_and_restored_after() -> None:
    logger = logging.getLogger("tests.command_output.chatty")
    logger.setLevel(logging.DEBUG)
    with loggers_quiet(("tests.command_output.chatty",)):
        assert not logger.isEnabledFor(logging.INFO)
        assert logger.isEnabledFor(logging.WARNING)
    assert logger.level == logging.DEBUG


# Each benchmark's first piece of work: a throwaway database, or (bench_sounds) a migration of
# the configured one. The report path must be checked before it.
FIRST_WORK = {
    "bench_feed": "feed.management.commands.bench_feed.throwaway_environment",
    "bench_discover": "discover.management.commands.bench_discover.throwaway_environment",
    "bench_hashtags": "feed.management.commands.bench_hashtags.throwaway_environment",
    "bench_sounds": "videos.management.commands.bench_sounds.call_command",
    "bench_search": "search.management.commands.bench_search.embedder_available",
    "evaluate_search": "search.management.commands.evaluate_search.throwaway_environment",
}


@pytest.mark.parametrize("command", sorted(FIRST_WORK))
def test_a_benchmark_refuses_a_folder_as_its_report_before_any_work(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def started(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError(f"{command} started before checking --out")

    monkeypatch.setattr(FIRST_WORK[command], started)
    with pytest.raises(CommandError, match=r"^--out: .* is a directory"):
        call_command(command, out=tmp_path)
    # The same guard lets a usable path through to the work.
    with pytest.raises(AssertionError, match="started before checking"):
        call_command(command, out=tmp_path / "reports" / "report.json")
