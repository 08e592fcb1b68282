"""The public-count triggers' advisory locks (0014) are taken per bucket of accounts, not per
account.

0014 took one lock per account whose videos a transaction wrote, and PostgreSQL keeps every
lock of a transaction in one shared table (`max_locks_per_transaction` x the server's
connections: about 15,000 locks on a default server, shared by all sessions). A statement that
wrote the videos of more accounts than that at once failed with "out of shared memory": loading
a catalogue of 19,000 creators' videos (`evaluate_feed` at the size of a real data set), or an
operator's bulk change of thousands of creators' videos in one transaction.

Each account now maps to one of LOCK_BUCKETS keys (`hashint8(owner) & 511`): a transaction holds
at most 512 of these locks, whatever it writes. The serialisation 0014 describes is unchanged
(an account's video writes and its privacy change take the same key); accounts that share a
bucket only wait for each other while one of them changes privacy, as a hash collision did.
"""

import importlib
import re

from django.db import migrations

LOCK_BUCKETS = 512  # a power of two: the mask keeps the hash's low bits, 0..511 for any sign

_before = importlib.import_module("videos.migrations.0014_public_counts_owner_lock")
_FUNCTIONS_BEFORE = _before._HASHTAG_ROWS + _before._VIDEO_ROWS + _before._ACCOUNT_ROWS
_FUNCTIONS, _KEYS = re.subn(
    r"hashint8\(([^()]*)\)", rf"(hashint8(\1) & {LOCK_BUCKETS - 1})", _FUNCTIONS_BEFORE
)
assert _KEYS == 5, f"0014's functions take 5 account locks, found {_KEYS}"


class Migration(migrations.Migration):
    dependencies = [("videos", "0015_video_caption_search_index")]

    operations = [migrations.RunSQL(_FUNCTIONS, _FUNCTIONS_BEFORE)]
