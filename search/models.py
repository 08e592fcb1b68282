"""Search's own tables: each video's search document, and the queries people run."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from videos.models import Video

# Longest query kept in the log (characters); suggestions are short.
LOGGED_QUERY_MAX_CHARS = 64
# Longer words are not kept in the dictionary (nobody types them with a typo).
WORD_MAX_CHARS = 40


class VideoDocument(models.Model):
    """What keyword search matches a video by: a weighted tsvector (A caption and hashtags,
    B tag names, C transcript). Rebuilt by `search.documents.documents_refresh`."""

    video = models.OneToOneField(
        Video, primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    document = SearchVectorField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [GinIndex(fields=["document"], name="search_doc_tsv_gin")]


class SearchWord(models.Model):
    """Every word of the documents' captions, hashtags and tag names as written (the 'simple'
    configuration): typos and prefixes are matched against this small dictionary by trigram,
    then the corrected words go through the documents' full-text index."""

    word = models.CharField(max_length=WORD_MAX_CHARS, unique=True)

    class Meta:
        indexes = [
            GinIndex(fields=["word"], opclasses=["gin_trgm_ops"], name="search_word_trgm"),
            models.Index(
                fields=["word"], opclasses=["varchar_pattern_ops"], name="search_word_prefix"
            ),
        ]


class SearchQuery(models.Model):
    """A normalised query and how often it was searched: the frequent ones are suggested."""

    query = models.CharField(max_length=LOGGED_QUERY_MAX_CHARS, unique=True)
    count = models.PositiveBigIntegerField(default=0)
    last_searched_at = models.DateTimeField()

    class Meta:
        indexes = [
            GinIndex(fields=["query"], opclasses=["gin_trgm_ops"], name="search_query_trgm"),
            models.Index(
                fields=["query"], opclasses=["varchar_pattern_ops"], name="search_query_prefix"
            ),
            models.Index(fields=["-count"], name="search_query_count"),
        ]
