"""Hashtag.video_count and Sound.use_count count only the videos anyone may see (ready, public,
not hidden by moderation, of an account that is not private: `videos.visibility.anyone_may_see_sql`,
the rule of the hashtag and sound pages' lists for a visitor). They counted every video, private
and unpublished ones included, so a public page's number told of videos nobody else may see.

PostgreSQL triggers keep both, whichever path writes:
- a VideoHashtag inserted or deleted moves its hashtag's count when its video is counted (and a
  counted video's new hashtag sets `last_used_at`);
- a video whose status, privacy, moderation or sound changes, or that is inserted or deleted,
  moves its hashtags' and its sound's counts when it starts or stops being counted (a video
  deleted after its VideoHashtag rows, as Django's cascade does, has no hashtags left to move);
- an account made private or public again moves the counts of all its counted videos at once.
The video trigger reads its owner's `is_private` under a share lock, so it and a concurrent
change of the account's privacy are applied one after the other, never both or neither.

The counts stored are recomputed from the rows, the same rule; reversing drops the triggers and
counts every video again."""

from django.db import migrations

# Whether a videos_video row is counted: `anyone_may_see_sql`, frozen here.
_COUNTED = """
CREATE OR REPLACE FUNCTION videos_video_counted(v videos_video) RETURNS boolean AS $$
  SELECT v.status = 'ready' AND v.privacy = 'public' AND v.hidden_at IS NULL
     AND NOT EXISTS (SELECT 1 FROM profiles_user u WHERE u.id = v.owner_id AND u.is_private)
$$ LANGUAGE sql STABLE;
"""

_HASHTAG_ROWS = """
CREATE OR REPLACE FUNCTION videos_hashtag_count() RETURNS trigger AS $$
DECLARE
  counted boolean;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT videos_video_counted(v) INTO counted FROM videos_video v WHERE v.id = NEW.video_id;
    IF counted THEN
      UPDATE videos_hashtag
         SET video_count = video_count + 1,
             last_used_at = GREATEST(COALESCE(last_used_at, NEW.created_at), NEW.created_at)
       WHERE id = NEW.hashtag_id;
    END IF;
    RETURN NEW;
  END IF;
  SELECT videos_video_counted(v) INTO counted FROM videos_video v WHERE v.id = OLD.video_id;
  IF counted THEN
    UPDATE videos_hashtag SET video_count = GREATEST(video_count - 1, 0)
     WHERE id = OLD.hashtag_id;
  END IF;
  RETURN OLD;
END;
$$ LANGUAGE plpgsql;
"""

_VIDEO_ROWS = """
CREATE OR REPLACE FUNCTION videos_video_public_counts() RETURNS trigger AS $$
DECLARE
  was boolean := false;
  now_counted boolean := false;
  target_id bigint;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM 1 FROM profiles_user WHERE id = OLD.owner_id FOR SHARE;
    was := videos_video_counted(OLD);
    target_id := OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM 1 FROM profiles_user WHERE id = NEW.owner_id FOR SHARE;
    now_counted := videos_video_counted(NEW);
    target_id := NEW.id;
  END IF;
  IF was <> now_counted THEN
    UPDATE videos_hashtag h
       SET video_count = GREATEST(h.video_count + CASE WHEN now_counted THEN 1 ELSE -1 END, 0),
           last_used_at = CASE WHEN now_counted THEN GREATEST(COALESCE(h.last_used_at, now()), now())
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

CREATE TRIGGER videos_video_public_counts_write
AFTER INSERT OR DELETE ON videos_video
FOR EACH ROW EXECUTE FUNCTION videos_video_public_counts();

CREATE TRIGGER videos_video_public_counts_change
AFTER UPDATE OF status, privacy, hidden_at, owner_id, sound_id ON videos_video
FOR EACH ROW
WHEN ((OLD.status, OLD.privacy, OLD.hidden_at IS NULL, OLD.owner_id, OLD.sound_id)
      IS DISTINCT FROM (NEW.status, NEW.privacy, NEW.hidden_at IS NULL, NEW.owner_id, NEW.sound_id))
EXECUTE FUNCTION videos_video_public_counts();
"""

_ACCOUNT_ROWS = """
CREATE OR REPLACE FUNCTION videos_account_public_counts() RETURNS trigger AS $$
DECLARE
  delta bigint := CASE WHEN NEW.is_private THEN -1 ELSE 1 END;
BEGIN
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

CREATE TRIGGER videos_account_public_counts
AFTER UPDATE OF is_private ON profiles_user
FOR EACH ROW WHEN (OLD.is_private IS DISTINCT FROM NEW.is_private)
EXECUTE FUNCTION videos_account_public_counts();
"""

_RECOUNT = """
UPDATE videos_hashtag h SET video_count = COALESCE(
  (SELECT count(*) FROM videos_videohashtag vh JOIN videos_video v ON v.id = vh.video_id
    WHERE vh.hashtag_id = h.id AND videos_video_counted(v)), 0);
UPDATE sounds_sound s SET use_count = COALESCE(
  (SELECT count(*) FROM videos_video v WHERE v.sound_id = s.id AND videos_video_counted(v)), 0);
"""

_DROP = """
DROP TRIGGER IF EXISTS videos_account_public_counts ON profiles_user;
DROP TRIGGER IF EXISTS videos_video_public_counts_change ON videos_video;
DROP TRIGGER IF EXISTS videos_video_public_counts_write ON videos_video;
DROP FUNCTION IF EXISTS videos_account_public_counts();
DROP FUNCTION IF EXISTS videos_video_public_counts();
CREATE OR REPLACE FUNCTION videos_hashtag_count() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE videos_hashtag
       SET video_count = video_count + 1,
           last_used_at = GREATEST(COALESCE(last_used_at, NEW.created_at), NEW.created_at)
     WHERE id = NEW.hashtag_id;
    RETURN NEW;
  END IF;
  UPDATE videos_hashtag SET video_count = GREATEST(video_count - 1, 0) WHERE id = OLD.hashtag_id;
  RETURN OLD;
END;
$$ LANGUAGE plpgsql;
DROP FUNCTION IF EXISTS videos_video_counted(videos_video);
UPDATE videos_hashtag h SET video_count =
  (SELECT count(*) FROM videos_videohashtag vh WHERE vh.hashtag_id = h.id);
UPDATE sounds_sound s SET use_count = (SELECT count(*) FROM videos_video v WHERE v.sound_id = s.id);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("videos", "0012_share_count_once_per_sharer"),
        ("sounds", "0004_search_title_trigram_gist"),
        ("profiles", "0006_user_private_index"),
    ]

    operations = [
        migrations.RunSQL(_COUNTED + _HASHTAG_ROWS + _VIDEO_ROWS + _ACCOUNT_ROWS + _RECOUNT, _DROP)
    ]
