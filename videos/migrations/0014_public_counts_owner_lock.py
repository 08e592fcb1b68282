"""The public-count triggers (0013) serialise on a per-account advisory lock instead of a share
lock on the account's row.

0013's video trigger took `FOR SHARE` on the owner's row after updating the video, the reverse
of a suspension's order (the account's row, then all its videos): publishing or hiding one of
an account's videos while it was being suspended or reinstated deadlocked, and every follow
counter update of a popular account waited on its publishes. The hashtag-row trigger read the
owner's privacy with no lock at all, so a hashtag added by a caption edit while the account went
private stayed counted for good.

Now each trigger that reads an account's privacy to count a video takes
`pg_advisory_xact_lock_shared(PUBLIC_COUNTS_LOCK_SPACE, hashint8(owner))` before reading it,
and the account trigger takes the same lock exclusively before counting the account's videos.
Whichever comes second waits for the first to commit and then reads it (each statement of a
trigger function reads afresh): a count never misses or doubles a change. Nothing else takes the
lock, so it joins no cycle with row locks. A hash collision between two accounts only makes them
wait for each other.
"""

from django.db import migrations

PUBLIC_COUNTS_LOCK_SPACE = 0x50554243  # "PUBC"

_LOCK_SHARED = f"PERFORM pg_advisory_xact_lock_shared({PUBLIC_COUNTS_LOCK_SPACE}, hashint8(%s));"

_HASHTAG_ROWS = """
CREATE OR REPLACE FUNCTION videos_hashtag_count() RETURNS trigger AS $$
DECLARE
  counted boolean;
  owner bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT v.owner_id INTO owner FROM videos_video v WHERE v.id = NEW.video_id;
    IF owner IS NOT NULL THEN
      LOCK_OWNER
    END IF;
    SELECT videos_video_counted(v) INTO counted FROM videos_video v WHERE v.id = NEW.video_id;
    IF counted THEN
      UPDATE videos_hashtag
         SET video_count = video_count + 1,
             last_used_at = GREATEST(COALESCE(last_used_at, NEW.created_at), NEW.created_at)
       WHERE id = NEW.hashtag_id;
    END IF;
    RETURN NEW;
  END IF;
  SELECT v.owner_id INTO owner FROM videos_video v WHERE v.id = OLD.video_id;
  IF owner IS NOT NULL THEN
    LOCK_OWNER
  END IF;
  SELECT videos_video_counted(v) INTO counted FROM videos_video v WHERE v.id = OLD.video_id;
  IF counted THEN
    UPDATE videos_hashtag SET video_count = GREATEST(video_count - 1, 0)
     WHERE id = OLD.hashtag_id;
  END IF;
  RETURN OLD;
END;
$$ LANGUAGE plpgsql;
""".replace("LOCK_OWNER", _LOCK_SHARED % "owner")

_VIDEO_ROWS = """
CREATE OR REPLACE FUNCTION videos_video_public_counts() RETURNS trigger AS $$
DECLARE
  was boolean := false;
  now_counted boolean := false;
  target_id bigint;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    LOCK_OLD
    was := videos_video_counted(OLD);
    target_id := OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    LOCK_NEW
    now_counted := videos_video_counted(NEW);
    target_id := NEW.id;
  END IF;
  IF was <> now_counted THEN
    UPDATE videos_hashtag h
       SET video_count = GREATEST(h.video_count + CASE WHEN now_counted THEN 1 ELSE -1 END, 0),
           last_used_at = CASE WHEN now_counted
                               THEN GREATEST(COALESCE(h.last_used_at, now()), now())
                               ELSE h.last_used_at END
     WHERE h.id IN (SELECT vh.hashtag_id FROM videos_videohashtag vh WHERE vh.video_id = target_id);
  END IF;
  IF was AND OLD.sound_id IS NOT NULL
     AND NOT (now_counted AND NEW.sound_id IS NOT DISTINCT FROM OLD.sound_id) THEN
    UPDATE sounds_sound SET use_count = GREATEST(use_count - 1, 0) WHERE id = OLD.sound_id;
  END IF;
  IF now_counted AND NEW.sound_id IS NOT NULL
     AND NOT (was AND OLD.sound_id IS NOT DISTINCT FROM NEW.sound_id) THEN
    UPDATE sounds_sound SET use_count = use_count + 1 WHERE id = NEW.sound_id;
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
""".replace("LOCK_OLD", _LOCK_SHARED % "OLD.owner_id").replace(
    "LOCK_NEW", _LOCK_SHARED % "NEW.owner_id"
)

_ACCOUNT_ROWS = f"""
CREATE OR REPLACE FUNCTION videos_account_public_counts() RETURNS trigger AS $$
DECLARE
  delta bigint := CASE WHEN NEW.is_private THEN -1 ELSE 1 END;
BEGIN
  PERFORM pg_advisory_xact_lock({PUBLIC_COUNTS_LOCK_SPACE}, hashint8(NEW.id));
  UPDATE videos_hashtag h SET video_count = GREATEST(h.video_count + delta * c.n, 0)
    FROM (SELECT vh.hashtag_id, count(*) AS n FROM videos_videohashtag vh
            JOIN videos_video v ON v.id = vh.video_id
           WHERE v.owner_id = NEW.id AND v.status = 'ready' AND v.privacy = 'public'
             AND v.hidden_at IS NULL
           GROUP BY vh.hashtag_id) c
   WHERE h.id = c.hashtag_id;
  UPDATE sounds_sound s SET use_count = GREATEST(s.use_count + delta * c.n, 0)
    FROM (SELECT v.sound_id, count(*) AS n FROM videos_video v
           WHERE v.owner_id = NEW.id AND v.sound_id IS NOT NULL AND v.status = 'ready'
             AND v.privacy = 'public' AND v.hidden_at IS NULL
           GROUP BY v.sound_id) c
   WHERE s.id = c.sound_id;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def _previous_functions() -> str:
    """0013's versions of the three functions (what reversing this migration restores)."""
    import importlib

    before = importlib.import_module("videos.migrations.0013_public_counts")
    return (
        before._HASHTAG_ROWS
        + before._VIDEO_ROWS.split("CREATE TRIGGER")[0]
        + (before._ACCOUNT_ROWS.split("CREATE TRIGGER")[0])
    )


class Migration(migrations.Migration):
    dependencies = [("videos", "0013_public_counts")]

    operations = [
        migrations.RunSQL(_HASHTAG_ROWS + _VIDEO_ROWS + _ACCOUNT_ROWS, _previous_functions())
    ]
