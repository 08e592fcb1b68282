"""The tags a video card shows (registered as a card field in TaggingConfig.ready()): the
video's active tags, best rank first, as {slug, name, score, source}."""

from __future__ import annotations

import json
from typing import Any

from tagging.models import Tag, VideoTag
from tiktok.db.sql import column, table
from videos.cards import CardField
from videos.models import Video


def card_tags_sql() -> str:
    """JSON text of [slug, name, score, source] arrays for the card row's video `v`."""
    return f"""(
        SELECT json_agg(
                   json_build_array(t.{column(Tag, "slug")}, t.{column(Tag, "name")},
                                    vt.{column(VideoTag, "score")},
                                    vt.{column(VideoTag, "source")})
                   ORDER BY vt.{column(VideoTag, "rank")}, vt.{column(VideoTag, "score")} DESC
               )::text
          FROM {table(VideoTag)} vt
          JOIN {table(Tag)} t ON t.{column(Tag, "id")} = vt.{column(VideoTag, "tag")}
         WHERE vt.{column(VideoTag, "video")} = v.{column(Video, "id")}
           AND t.{column(Tag, "is_active")}
    )"""


def card_tags_json(value: Any) -> list[dict[str, Any]]:
    tags = json.loads(value) if value else []
    return [
        {"slug": slug, "name": name, "score": round(score, 4), "source": source}
        for slug, name, score, source in tags
    ]


CARD_TAGS = CardField(name="tags", sql=card_tags_sql, to_json=card_tags_json)
