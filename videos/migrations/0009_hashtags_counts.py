"""Hashtag.video_count and last_used_at kept by PostgreSQL triggers on VideoHashtag: every
writer (the sync service, a video's or an account's CASCADE delete, the admin, raw SQL) keeps the
count right, and concurrent writers serialise on the hashtag's row, never losing an update."""

from django.db import migrations

_FUNCTION = """
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

CREATE TRIGGER videos_videohashtag_count
AFTER INSERT OR DELETE ON videos_videohashtag
FOR EACH ROW EXECUTE FUNCTION videos_hashtag_count();
"""

_DROP = """
DROP TRIGGER IF EXISTS videos_videohashtag_count ON videos_videohashtag;
DROP FUNCTION IF EXISTS videos_hashtag_count();
"""


class Migration(migrations.Migration):
    dependencies = [("videos", "0008_sounds_and_hashtags")]

    operations = [migrations.RunSQL(_FUNCTION, _DROP)]
