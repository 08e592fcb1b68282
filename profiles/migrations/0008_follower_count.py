"""User.follower_count: the followers whose accounts are active (the ones the followers list
shows), kept by PostgreSQL triggers so that every path that writes follows counts, whichever it
is (a service, a block, the admin, the cascade of an account's deletion, a bulk insert):

- a follow inserted or deleted (or moved to another pair) moves its followee's count when the
  follower's account is active;
- an account made inactive (suspended) or active again (reinstated) moves the counts of
  everyone it follows at once.

Profile headers read the column instead of counting a popular account's followers on every
view, and account search ranks names that share a prefix by it (an index on the column).

The follow trigger reads its follower's `is_active` under
`pg_advisory_xact_lock_shared(FOLLOWER_COUNT_LOCK_SPACE, hashint8(follower))`; the account
trigger takes the same lock exclusively before it counts the account's follows. Whichever comes
second waits for the first to commit and then reads it (each statement of a trigger function
reads afresh), so a follow written or removed while its follower is being suspended or
reinstated is counted after the change or before it, never both or neither. Nothing else takes
the lock, and the account trigger locks the rows it moves in id order, so it joins no cycle
with the row locks the graph services take (a trigger that locked the two accounts' rows
itself deadlocked with going public, which holds the owner's row while it adds followers).

The stored counts are recomputed from the rows; reversing drops the triggers."""

from django.db import migrations, models

FOLLOWER_COUNT_LOCK_SPACE = 0x464F4C57  # "FOLW"

_FOLLOW_ROWS = f"""
CREATE OR REPLACE FUNCTION profiles_follow_count() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_advisory_xact_lock_shared({FOLLOWER_COUNT_LOCK_SPACE}, hashint8(OLD.follower_id));
    IF EXISTS (SELECT 1 FROM profiles_user WHERE id = OLD.follower_id AND is_active) THEN
      UPDATE profiles_user SET follower_count = GREATEST(follower_count - 1, 0)
       WHERE id = OLD.followee_id;
    END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM pg_advisory_xact_lock_shared({FOLLOWER_COUNT_LOCK_SPACE}, hashint8(NEW.follower_id));
    IF EXISTS (SELECT 1 FROM profiles_user WHERE id = NEW.follower_id AND is_active) THEN
      UPDATE profiles_user SET follower_count = follower_count + 1 WHERE id = NEW.followee_id;
    END IF;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER profiles_follow_count_write
AFTER INSERT OR DELETE ON profiles_follow
FOR EACH ROW EXECUTE FUNCTION profiles_follow_count();

CREATE TRIGGER profiles_follow_count_change
AFTER UPDATE OF follower_id, followee_id ON profiles_follow
FOR EACH ROW
WHEN ((OLD.follower_id, OLD.followee_id) IS DISTINCT FROM (NEW.follower_id, NEW.followee_id))
EXECUTE FUNCTION profiles_follow_count();
"""

_ACCOUNT_ROWS = f"""
CREATE OR REPLACE FUNCTION profiles_follower_active_count() RETURNS trigger AS $$
BEGIN
  PERFORM pg_advisory_xact_lock({FOLLOWER_COUNT_LOCK_SPACE}, hashint8(NEW.id));
  PERFORM 1 FROM profiles_user u
    WHERE u.id IN (SELECT f.followee_id FROM profiles_follow f WHERE f.follower_id = NEW.id)
    ORDER BY u.id FOR NO KEY UPDATE;
  UPDATE profiles_user u
     SET follower_count = GREATEST(u.follower_count + CASE WHEN NEW.is_active THEN 1 ELSE -1 END, 0)
   WHERE u.id IN (SELECT f.followee_id FROM profiles_follow f WHERE f.follower_id = NEW.id);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER profiles_follower_active_count
AFTER UPDATE OF is_active ON profiles_user
FOR EACH ROW WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active)
EXECUTE FUNCTION profiles_follower_active_count();
"""

_RECOUNT = """
UPDATE profiles_user u SET follower_count = c.n
  FROM (SELECT f.followee_id, count(*) AS n FROM profiles_follow f
          JOIN profiles_user fu ON fu.id = f.follower_id AND fu.is_active
         GROUP BY f.followee_id) c
 WHERE u.id = c.followee_id;
"""

_DROP = """
DROP TRIGGER IF EXISTS profiles_follower_active_count ON profiles_user;
DROP TRIGGER IF EXISTS profiles_follow_count_change ON profiles_follow;
DROP TRIGGER IF EXISTS profiles_follow_count_write ON profiles_follow;
DROP FUNCTION IF EXISTS profiles_follower_active_count();
DROP FUNCTION IF EXISTS profiles_follow_count();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("profiles", "0007_username_any_case"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="follower_count",
            field=models.PositiveIntegerField(default=0, db_default=0, editable=False),
        ),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(
                models.OrderBy(models.F("follower_count"), descending=True),
                models.F("id"),
                name="user_followers_idx",
            ),
        ),
        migrations.RunSQL(_FOLLOW_ROWS + _ACCOUNT_ROWS + _RECOUNT, _DROP),
    ]
