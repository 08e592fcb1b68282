"""Data archives ("download your data"): how often one may be asked for, how long it is kept."""

from .env import env_int

# A person may ask for a new archive this long after their last ready one (a failed one may be
# asked for again at once); asking while one is being made returns that one.
TAKEOUT_REQUEST_INTERVAL_HOURS = env_int("TAKEOUT_REQUEST_INTERVAL_HOURS", 24)
# A ready archive can be downloaded this long, then the hourly sweep deletes it.
TAKEOUT_KEEP_HOURS = env_int("TAKEOUT_KEEP_HOURS", 72)
# A build still running after this long was lost with its worker: the sweep marks it failed (the
# person may ask again). A request whose task never reached a worker is sent again after
# TAKEOUT_REQUEUE_MINUTES.
TAKEOUT_BUILD_TIMEOUT_MINUTES = env_int("TAKEOUT_BUILD_TIMEOUT_MINUTES", 120)
TAKEOUT_REQUEUE_MINUTES = env_int("TAKEOUT_REQUEUE_MINUTES", 15)
# Requests one person may make in any 24 hours, whatever became of them (a build that keeps
# failing, e.g. past its time limit, is not started again and again).
TAKEOUT_REQUESTS_PER_DAY = env_int("TAKEOUT_REQUESTS_PER_DAY", 3)
# The archive is written to the worker's temporary disk (TMPDIR), which the pipeline's
# transcodes share: a build stops (failed, "too large") rather than leave less than this free.
TAKEOUT_MIN_FREE_DISK_BYTES = env_int("TAKEOUT_MIN_FREE_DISK_BYTES", 2 * 1024**3)
