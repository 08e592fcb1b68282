"""The follower-count triggers' advisory locks (0008) are taken per bucket of accounts, not per
account.

0008 took one lock per follower whose follows a transaction wrote, and PostgreSQL keeps every
lock of a transaction in one shared table (`max_locks_per_transaction` x the server's
connections: about 15,000 locks on a default server, shared by all sessions). Deleting an
account with more followers than that (the cascade deletes one follow per follower in one
transaction), or approving that many follow requests at once, failed with "out of shared
memory" and the account stayed.

Each account now maps to one of LOCK_BUCKETS keys (`hashint8(follower) & 511`): a transaction
holds at most 512 of these locks, whatever it writes. The serialisation 0008 describes is
unchanged (a follower's follow writes and its suspension take the same key); accounts that share
a bucket only wait for each other while one of them is suspended or reinstated, as a hash
collision did.
"""

import importlib
import re

from django.db import migrations

LOCK_BUCKETS = 512  # a power of two: the mask keeps the hash's low bits, 0..511 for any sign

_before = importlib.import_module("profiles.migrations.0008_follower_count")
_FUNCTIONS_BEFORE = (
    _before._FOLLOW_ROWS.split("CREATE TRIGGER")[0]
    + _before._ACCOUNT_ROWS.split("CREATE TRIGGER")[0]
)
_FUNCTIONS, _KEYS = re.subn(
    r"hashint8\(([^()]*)\)", rf"(hashint8(\1) & {LOCK_BUCKETS - 1})", _FUNCTIONS_BEFORE
)
assert _KEYS == 3, f"0008's functions take 3 account locks, found {_KEYS}"


class Migration(migrations.Migration):
    dependencies = [("profiles", "0009_username_skeleton")]

    operations = [migrations.RunSQL(_FUNCTIONS, _FUNCTIONS_BEFORE)]
