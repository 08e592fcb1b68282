"""How a pipeline step can end other than success."""

from __future__ import annotations


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
