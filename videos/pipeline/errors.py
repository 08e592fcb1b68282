"""How a pipeline step can end other than success."""

from __future__ import annotations

import errno

import av

# A worker's disk full, over quota or failing: the worker's trouble, not the video's.
WORKER_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO})


class StepSkipped(Exception):
    """Nothing to do for this video (e.g. no audio to transcribe); the reason is recorded."""


class StepTransientError(Exception):
    """Worth retrying later (the embedder is down or timed out)."""


class StepOutage(StepTransientError):
    """A part the step needs is down (the embedder unreachable, the object store failing):
    retried for as long as an outage may last (PIPELINE_OUTAGE_MAX_WAIT_SECONDS), not given up
    after a few tries."""


class StepPermanentError(Exception):
    """Retrying the same input will not help (corrupt file, input refused)."""


class VideoGone(Exception):
    """The video was deleted while its step ran (its rows went with it): the step is a no-op."""


def worker_trouble(exc: BaseException) -> StepTransientError | None:
    """The retry a failure of the worker itself (not of the video) calls for: a full, over-quota
    or failing disk is waited out like an outage (the next worker process clears what killed
    steps left); running out of memory is retried a few times. None for anything else (FFmpeg's
    errors, which carry errnos too, are the file's)."""
    if isinstance(exc, av.FFmpegError):
        return None
    if isinstance(exc, OSError) and exc.errno in WORKER_DISK_ERRNOS:
        return StepOutage(f"the worker's disk failed: {exc}")
    if isinstance(exc, MemoryError):
        return StepTransientError(f"the worker ran out of memory: {exc}")
    return None
