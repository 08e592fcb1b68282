"""The follow-count trigger (0008) leaves alone the follows to an account being erased.

Erasing an account deletes one follow per follower in its transaction, and 0008's trigger took
one advisory lock per follower for each: PostgreSQL keeps every lock of a transaction in one
shared table (`max_locks_per_transaction` x the server's connections, about 15,000 locks on a
default server), so deleting an account with more followers than that failed with "out of
shared memory" and the account stayed. Those follows only ever moved the erased account's own
count, which goes with its row: `account_erase` names the account in the transaction-local
setting `profiles.erasing_account`, and the trigger returns at once for a follow to it (no lock,
no count). Follows the account held still take its own lock and move their followees' counts.
The serialisation 0008 describes is unchanged for every other follow.
"""

import importlib

from django.db import migrations

_before = importlib.import_module("profiles.migrations.0008_follower_count")
_FUNCTION_BEFORE = _before._FOLLOW_ROWS.split("CREATE TRIGGER")[0]
_SKIP = """BEGIN
  IF TG_OP = 'DELETE'
     AND OLD.followee_id::text = current_setting('profiles.erasing_account', true) THEN
    RETURN NULL;
  END IF;
"""
_FUNCTION = _FUNCTION_BEFORE.replace("BEGIN\n", _SKIP, 1)
assert _FUNCTION != _FUNCTION_BEFORE


class Migration(migrations.Migration):
    dependencies = [("profiles", "0009_username_skeleton")]

    operations = [migrations.RunSQL(_FUNCTION, _FUNCTION_BEFORE)]
