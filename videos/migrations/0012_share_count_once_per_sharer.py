"""share_count counts each signed-in sharer once per video (videos.services.engagement). Existing
counts counted every signed-in share: each becomes the number of distinct signed-in sharers,
plus what it still held of accounts deleted since (their rows are anonymous now, so they cannot
be told apart: each counts as it did)."""

from django.db import migrations

RECOUNT_SQL = """
UPDATE videos_video v
SET share_count = s.sharers + GREATEST(0, v.share_count - s.counted_rows)
FROM (
    SELECT video_id, COUNT(DISTINCT user_id) AS sharers, COUNT(*) AS counted_rows
    FROM videos_share WHERE user_id IS NOT NULL GROUP BY video_id
) s
WHERE v.id = s.video_id AND s.counted_rows > s.sharers
"""


class Migration(migrations.Migration):
    dependencies = [("videos", "0011_search_hashtag_name_indexes")]

    operations = [migrations.RunSQL(RECOUNT_SQL, migrations.RunSQL.noop)]
