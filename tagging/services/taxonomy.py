"""Taxonomy writes: load a taxonomy in one transaction, (de)activate tags, queue vectors."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from tagging.events import tag_videos_changed_announce
from tagging.models import Tag, TagCategory, TagPhrase
from tagging.tasks import refresh_tag_embeddings
from tagging.taxonomy import Taxonomy, TaxonomyError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TaxonomyLoadResult:
    categories: int
    tags_created: int
    tags_updated: int
    tags_deactivated: int
    phrases: int


def _phrases_of_other_tags_check(taxonomy: Taxonomy) -> None:
    """A phrase is used once across the taxonomy, stored tags the file does not list included
    (whatever its case): a file giving `kittens` the phrase "Kitten" that the stored `cats`
    has made `#kitten` name whichever tag sorted first, and the admin refused to save either."""
    listed = {spec.slug for spec in taxonomy.tags}
    wanted = {text.casefold(): spec.slug for spec in taxonomy.tags for text in spec.phrases}
    for text, slug in (
        TagPhrase.objects.exclude(tag__slug__in=listed)
        .values_list("text", "tag__slug")
        .order_by("tag__slug", "text")
    ):
        if text.casefold() in wanted:
            raise TaxonomyError(
                f"phrase {text!r} of tag {wanted[text.casefold()]!r} is already a phrase of "
                f"tag {slug!r} (a phrase names one tag: remove it from one of them)"
            )


@transaction.atomic
def taxonomy_load(*, taxonomy: Taxonomy, deactivate_missing: bool = False) -> TaxonomyLoadResult:
    """Create or update the categories and tags of a validated taxonomy (all or nothing). Each
    listed tag's phrases become exactly the file's; with deactivate_missing, tags absent from the
    file are deactivated. Tag vectors are recomputed by a Celery task after the commit."""
    _phrases_of_other_tags_check(taxonomy)
    categories = {}
    for spec in taxonomy.categories:
        category, _ = TagCategory.objects.update_or_create(
            slug=spec.slug, defaults={"name": spec.name}
        )
        categories[spec.slug] = category
    created = updated = phrase_count = 0
    # How each listed tag is shown now (name, active): the videos of those whose name or state
    # changes are announced, so search finds them by the new name and not by a retired one.
    shown_before = {
        slug: (pk, name, active)
        for slug, pk, name, active in Tag.objects.filter(
            slug__in=[spec.slug for spec in taxonomy.tags]
        ).values_list("slug", "pk", "name", "is_active")
    }
    changed: list[int] = []
    for spec in taxonomy.tags:
        defaults = {
            "name": spec.name,
            "description": spec.description,
            "category": categories.get(spec.category) if spec.category else None,
        }
        if spec.is_active is not None:  # else a tag the operator deactivated stays so
            defaults["is_active"] = spec.is_active
        tag, was_created = Tag.objects.update_or_create(slug=spec.slug, defaults=defaults)
        if not was_created and shown_before[spec.slug][1:] != (tag.name, tag.is_active):
            changed.append(tag.pk)
        created += was_created
        updated += not was_created
        wanted = list(spec.phrases)
        TagPhrase.objects.filter(tag=tag).exclude(text__in=wanted).delete()
        have = set(TagPhrase.objects.filter(tag=tag).values_list("text", flat=True))
        TagPhrase.objects.bulk_create(
            [TagPhrase(tag=tag, text=text) for text in wanted if text not in have]
        )
        phrase_count += len(wanted)
    deactivated = 0
    if deactivate_missing:
        missing = list(
            Tag.objects.filter(is_active=True)
            .exclude(slug__in=[spec.slug for spec in taxonomy.tags])
            .values_list("pk", flat=True)
        )
        deactivated = Tag.objects.filter(pk__in=missing).update(is_active=False)
        changed.extend(missing)
    tag_phrases_changed()
    tag_videos_changed_announce(tag_ids=changed)
    return TaxonomyLoadResult(
        categories=len(categories),
        tags_created=created,
        tags_updated=updated,
        tags_deactivated=deactivated,
        phrases=phrase_count,
    )


def tags_set_active(*, tags: Iterable[Tag], is_active: bool) -> int:
    """Activate or deactivate tags; activated tags get vectors from the refresh task."""
    ids = [tag.pk for tag in tags]
    changed = list(
        Tag.objects.filter(pk__in=ids).exclude(is_active=is_active).values_list("pk", flat=True)
    )
    count = Tag.objects.filter(pk__in=changed).update(is_active=is_active)
    if is_active and count:
        tag_phrases_changed()
    tag_videos_changed_announce(tag_ids=changed)  # their videos' tags read otherwise in search
    return count


def _enqueue_refresh() -> None:
    try:
        refresh_tag_embeddings.delay()
    except Exception as exc:  # noqa: BLE001 - vectors are also computed lazily at scoring time
        logger.warning("could not queue tagging.refresh_tag_embeddings: %s", exc)


def tag_phrases_changed() -> None:
    """Recompute missing/stale tag vectors in a Celery task once the current transaction
    commits (never inside an admin request or a load)."""
    transaction.on_commit(_enqueue_refresh)
