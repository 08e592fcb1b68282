"""Tagging writes: taxonomy loading, tag vectors, assigning tags to videos (re-exported here)."""

from tagging.services.assign import (
    choose_tags,
    hashtag_tag_ids,
    score_videos,
    video_tags_assign,
    videos_retag_all,
)
from tagging.services.taxonomy import (
    TaxonomyLoadResult,
    tag_phrases_changed,
    tags_set_active,
    taxonomy_load,
)
from tagging.services.vectors import (
    TaggingError,
    TagIndex,
    tag_index_ensure,
    tag_index_load,
    tag_vectors_refresh,
)

__all__ = [
    "TagIndex",
    "TaggingError",
    "TaxonomyLoadResult",
    "choose_tags",
    "hashtag_tag_ids",
    "score_videos",
    "tag_index_ensure",
    "tag_index_load",
    "tag_phrases_changed",
    "tag_vectors_refresh",
    "tags_set_active",
    "taxonomy_load",
    "video_tags_assign",
    "videos_retag_all",
]
